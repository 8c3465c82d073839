export * from './lib/bootstrap';
