import { storageFromEnv } from '@nafs/storage';
import { Module } from '@nestjs/common';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { TenantsService } from '../tenants/tenants.service';
import { AvatarsService, OBJECT_STORAGE } from './avatars.service';
import { UserAdminService } from './user-admin.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [
    UsersRepository,
    UsersService,
    TenantsService,
    UserAdminService,
    AvatarsService,
    {
      provide: OBJECT_STORAGE,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) => storageFromEnv(config, { dir: config.UPLOADS_DIR, publicUrl: config.UPLOADS_PUBLIC_URL }),
    },
  ],
  exports: [UsersService, TenantsService],
})
export class UsersModule {}
