import { Module } from '@nestjs/common';

import { ExportSourceController } from './export-source.controller';
import { ExportSourceRepository } from './export-source.repository';
import { ExportSourceService } from './export-source.service';

/** The RPC patterns web-service's export jobs ask (libs/contracts forms-rpc.ts). */
@Module({ controllers: [ExportSourceController], providers: [ExportSourceRepository, ExportSourceService] })
export class ExportSourceModule {}
