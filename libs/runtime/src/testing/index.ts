export * from './test-service';
export * from './service-process';
export * from './health-contract';
export * from './health-suite';
