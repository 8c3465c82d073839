import { describeHealthOfAuthDependentService } from '@nafs/runtime/testing';

import { FORMS_SERVICE } from '../src/service';

describeHealthOfAuthDependentService(FORMS_SERVICE);
