import { Module } from '@nestjs/common';

import { LockoutService } from '../lockout/lockout.service';
import { PasswordResetsService } from '../password-resets/password-resets.service';
import { SessionsService } from '../sessions/sessions.service';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';

@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [AuthService, SessionsService, LockoutService, PasswordResetsService],
})
export class AuthModule {}
