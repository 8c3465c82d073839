import 'reflect-metadata';

import { runService } from '@nafs/runtime';

import { FORMS_SERVICE } from './service';

void runService(FORMS_SERVICE).catch((error) => {
  console.error(error);
  process.exit(1);
});
