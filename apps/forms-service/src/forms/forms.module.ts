import { storageFromEnv } from '@nafs/storage';
import { Module } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { FORMS_CONFIG } from '../config/forms-config.module';
import { RenderTokensModule } from '../render-tokens/render-tokens.module';
import { ShortLinksModule } from '../short-links/short-links.module';
import { FormOwners } from './form-owners';
import { FormsController, XssScreenGuard } from './forms.controller';
import { FormsRepository } from './forms.repository';
import { FORMS_STORAGE, FormsService } from './forms.service';
import { FormsExport } from './forms-export';

/** The form builder's authenticated surface (F1–F12). Needs FormsConfigModule (global) and the auth client. */
@Module({
  imports: [RenderTokensModule, ShortLinksModule],
  controllers: [FormsController],
  providers: [
    FormsRepository,
    FormsService,
    FormsExport,
    FormOwners,
    XssScreenGuard,
    {
      provide: FORMS_STORAGE,
      inject: [FORMS_CONFIG],
      useFactory: (config: FormsConfig) =>
        storageFromEnv(config as unknown as Record<string, unknown>, {
          dir: config.FORMS_UPLOADS_DIR,
          publicUrl: config.FORMS_UPLOADS_PUBLIC_URL,
        }),
    },
  ],
  exports: [FormsRepository],
})
export class FormsModule {}
