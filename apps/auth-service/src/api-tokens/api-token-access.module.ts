import { Global, Module } from '@nestjs/common';

import { ApiTokenUsageRecorder } from './api-token-usage.recorder';
import { ApiTokenVerifier } from './api-token-verifier';
import { ApiTokensRepository } from './api-tokens.repository';

/** What authenticating with an API token needs, shared by the HTTP guard and the identity RPC. */
@Global()
@Module({
  providers: [ApiTokenVerifier, ApiTokenUsageRecorder, ApiTokensRepository],
  exports: [ApiTokenVerifier, ApiTokenUsageRecorder, ApiTokensRepository],
})
export class ApiTokenAccessModule {}
