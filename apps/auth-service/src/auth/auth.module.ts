import { Module } from '@nestjs/common';

import { LockoutService } from '../lockout/lockout.service';
import { PasswordResetsRepository } from '../password-resets/password-resets.repository';
import { PasswordResetsService } from '../password-resets/password-resets.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';

@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [AuthService, SessionsRepository, SessionsService, LockoutService, PasswordResetsRepository, PasswordResetsService],
})
export class AuthModule {}
