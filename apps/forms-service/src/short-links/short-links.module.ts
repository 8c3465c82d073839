import { storageFromEnv } from '@nafs/storage';
import { Module } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { FORMS_CONFIG } from '../config/forms-config.module';
import { PublicFormsModule } from '../public-forms/public-forms.module';
import { QR_STORAGE, QrCodes } from './qr-codes';
import { ShortLinkRedirectController, ShortLinksController } from './short-links.controller';
import { ShortLinksRepository } from './short-links.repository';
import { ShortLinksService } from './short-links.service';

/** Short links (F24–F29) and the form links publish mints (`ShortLinksService.ensureForForm`). Needs FormsConfigModule (global). */
@Module({
  imports: [PublicFormsModule],
  controllers: [ShortLinksController, ShortLinkRedirectController],
  providers: [
    ShortLinksRepository,
    ShortLinksService,
    QrCodes,
    {
      provide: QR_STORAGE,
      inject: [FORMS_CONFIG],
      useFactory: (config: FormsConfig) =>
        storageFromEnv(config as unknown as Record<string, unknown>, {
          dir: config.FORMS_UPLOADS_DIR,
          publicUrl: config.FORMS_UPLOADS_PUBLIC_URL,
        }),
    },
  ],
  exports: [ShortLinksService, QrCodes],
})
export class ShortLinksModule {}
