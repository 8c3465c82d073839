import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';

import { AccessRepository } from './access.repository';
import { LocalAuthGuard, LocalRolesGuard } from './auth.guard';
import { Authenticator } from './authenticator.service';
import { TokenService } from './token.service';

/** Authentication for auth-service's own routes: token signing/verification and the guards. */
@Global()
@Module({
  imports: [JwtModule.register({})],
  providers: [TokenService, Authenticator, AccessRepository, LocalAuthGuard, LocalRolesGuard],
  exports: [TokenService, Authenticator, LocalAuthGuard, LocalRolesGuard],
})
export class AccessModule {}
