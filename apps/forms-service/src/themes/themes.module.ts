import { type DynamicModule, Module } from '@nestjs/common';
import { THEME_UPLOADS, ThemeThumbnailStorage, type ThemeUploadsOptions } from './theme-thumbnail.storage';
import { ThemesController } from './themes.controller';
import { ThemeOwnerGuard } from './theme-owner.guard';
import { ThemesRepository } from './themes.repository';
import { ThemesService } from './themes.service';

@Module({})
export class ThemesModule {
  static register(uploads: ThemeUploadsOptions): DynamicModule {
    return {
      module: ThemesModule,
      controllers: [ThemesController],
      providers: [ThemesService, ThemesRepository, ThemeOwnerGuard, ThemeThumbnailStorage, { provide: THEME_UPLOADS, useValue: uploads }],
    };
  }
}
