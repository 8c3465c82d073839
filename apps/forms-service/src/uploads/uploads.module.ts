import { storageFromEnv } from '@nafs/storage';
import { type DynamicModule, Module } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { UPLOADS_STORAGE, UploadsController } from './uploads.controller';

@Module({})
export class UploadsModule {
  static register(config: FormsConfig): DynamicModule {
    return {
      module: UploadsModule,
      controllers: [UploadsController],
      providers: [{ provide: UPLOADS_STORAGE, useFactory: () => storageFromEnv(config, { dir: config.FORMS_UPLOADS_DIR, publicUrl: config.FORMS_UPLOADS_PUBLIC_URL }) }],
    };
  }
}
