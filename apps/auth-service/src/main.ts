import 'reflect-metadata';

import { runService } from '@nafs/runtime';

import { AUTH_SERVICE } from './service';

void runService(AUTH_SERVICE).catch((error) => {
  console.error(error);
  process.exit(1);
});
