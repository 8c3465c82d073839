import { Global, Module } from '@nestjs/common';

import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsService } from './audit-logs.service';
import { WebAuditConsumer } from './web-audit.consumer';

@Global()
@Module({ controllers: [AuditLogsController], providers: [AuditLogsService, WebAuditConsumer], exports: [AuditLogsService] })
export class AuditLogsModule {}
