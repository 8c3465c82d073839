import { Module } from '@nestjs/common';
import { TenantsService } from '../tenants/tenants.service';
import { UsersService } from './users.service';

@Module({ providers: [UsersService, TenantsService], exports: [UsersService, TenantsService] })
export class UsersModule {}
