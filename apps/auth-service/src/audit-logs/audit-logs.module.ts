import { Global, Module } from '@nestjs/common';

import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditLogsService } from './audit-logs.service';
import { WebAuditConsumer } from './web-audit.consumer';

@Global()
@Module({
  controllers: [AuditLogsController],
  providers: [AuditLogsRepository, AuditLogsService, WebAuditConsumer],
  exports: [AuditLogsService],
})
export class AuditLogsModule {}
