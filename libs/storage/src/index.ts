export * from './lib/object-storage';
export * from './lib/local-storage';
export * from './lib/s3-storage';
export * from './lib/image-validation';
export * from './lib/storage-from-env';
