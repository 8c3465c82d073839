import 'reflect-metadata';

import { runService } from '@nafs/runtime';

import { WEB_SERVICE } from './service';

void runService(WEB_SERVICE).catch((error) => {
  console.error(error);
  process.exit(1);
});
