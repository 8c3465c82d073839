import { Global, Module } from '@nestjs/common';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsService } from './audit-logs.service';

@Global()
@Module({ controllers: [AuditLogsController], providers: [AuditLogsService], exports: [AuditLogsService] })
export class AuditLogsModule {}
