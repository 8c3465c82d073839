export * from './test-infra';
export * from './test-databases';
export * from './schema-catalog';
export * from './wait-for';
export * from './legacy-copy';
export * from './private-redis';
