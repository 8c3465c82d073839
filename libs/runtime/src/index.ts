export * from './lib/bootstrap';
export * from './lib/legacy-json-body';
