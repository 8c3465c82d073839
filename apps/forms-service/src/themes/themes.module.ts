import { storageFromEnv } from '@nafs/storage';
import { type DynamicModule, Module } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { ThemeOwnerGuard } from './theme-owner.guard';
import { THEME_STORAGE, ThemeThumbnailStorage } from './theme-thumbnail.storage';
import { ThemesController } from './themes.controller';
import { ThemesRepository } from './themes.repository';
import { ThemesService } from './themes.service';

@Module({})
export class ThemesModule {
  static register(config: FormsConfig): DynamicModule {
    return {
      module: ThemesModule,
      controllers: [ThemesController],
      providers: [
        ThemesService,
        ThemesRepository,
        ThemeOwnerGuard,
        ThemeThumbnailStorage,
        {
          provide: THEME_STORAGE,
          useFactory: () => storageFromEnv(config, { dir: config.FORMS_UPLOADS_DIR, publicUrl: config.FORMS_UPLOADS_PUBLIC_URL }),
        },
      ],
    };
  }
}
