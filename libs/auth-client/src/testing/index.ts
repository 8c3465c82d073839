export * from './auth-fixture';
export * from './identity-suite';
