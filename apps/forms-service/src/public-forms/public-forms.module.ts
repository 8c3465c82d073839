import { Module } from '@nestjs/common';

import { RenderTokensModule } from '../render-tokens/render-tokens.module';
import { TEMPLATE_EXECUTOR_PROVIDERS } from '../template-executors/template-executors';
import { PublicFormsController } from './public-forms.controller';
import { PublicFormsRepository } from './public-forms.repository';
import { PublicFormsService } from './public-forms.service';
import { PublicRateLimits } from './public-rate-limits';

/** Public render and submission (F21–F23) with the template executors, available slots, poll results. */
@Module({
  imports: [RenderTokensModule],
  controllers: [PublicFormsController],
  providers: [PublicFormsService, PublicFormsRepository, PublicRateLimits, ...TEMPLATE_EXECUTOR_PROVIDERS],
  exports: [PublicRateLimits],
})
export class PublicFormsModule {}
