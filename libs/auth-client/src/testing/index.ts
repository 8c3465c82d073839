export * from './auth-fixture';
