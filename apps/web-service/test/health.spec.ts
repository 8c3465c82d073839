import { describeHealthOfAuthDependentService } from '@nafs/runtime/testing';

import { WEB_SERVICE } from '../src/service';

describeHealthOfAuthDependentService(WEB_SERVICE);
