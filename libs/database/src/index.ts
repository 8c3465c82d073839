export * from './lib/database-settings';
export * from './lib/typeorm-options';
export * from './lib/ensure-database';
export * from './lib/migrate';
export * from './lib/find-by-primary-key';
