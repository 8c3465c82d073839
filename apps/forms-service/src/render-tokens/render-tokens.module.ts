import { Module } from '@nestjs/common';

import { RenderTokenService } from './render-token.service';

/** Signs and verifies form render tokens (F3 publish, F21/F22). Needs FormsConfigModule (global). */
@Module({ providers: [RenderTokenService], exports: [RenderTokenService] })
export class RenderTokensModule {}
