import { redisOptionsFromEnv } from '@nafs/cache';
import { createRpcClient } from '@nafs/rpc';
import { storageFromEnv } from '@nafs/storage';
import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';

import { ToolRegistryRepository } from '../tool-registry/tool-registry.repository';
import { ExportCleanupProcessor } from './export-cleanup.processor';
import {
  EXPORT_JOBS_OPTIONS,
  EXPORT_MAINTENANCE_QUEUE,
  EXPORT_QUEUE,
  EXPORT_STORAGE,
  type ExportJobsEnv,
  exportJobsOptions,
  FORMS_RPC_CLIENT,
} from './export-jobs.config';
import { ExportJobsController } from './export-jobs.controller';
import { ExportJobsProcessor } from './export-jobs.processor';
import { ExportJobsRepository } from './export-jobs.repository';
import { ExportJobsService } from './export-jobs.service';
import { ExportPreflight } from './export-preflight';
import { FormsSourceClient } from './forms-source.client';

const BULL_CONFIG = 'export-jobs';

/** W25–W31 and #41: export jobs on a BullMQ queue, packages built from forms' data over RPC. */
@Module({})
export class ExportJobsModule {
  static register(config: ExportJobsEnv): DynamicModule {
    const options = exportJobsOptions(config);
    return {
      module: ExportJobsModule,
      imports: [
        BullModule.forRoot(BULL_CONFIG, {
          connection: { ...redisOptionsFromEnv(config), maxRetriesPerRequest: null },
          prefix: options.queuePrefix,
        }),
        BullModule.registerQueue(
          { name: EXPORT_QUEUE, configKey: BULL_CONFIG, defaultJobOptions: { attempts: 1, removeOnComplete: 1000, removeOnFail: 1000 } },
          { name: EXPORT_MAINTENANCE_QUEUE, configKey: BULL_CONFIG },
        ),
      ],
      controllers: [ExportJobsController],
      providers: [
        { provide: EXPORT_JOBS_OPTIONS, useValue: options },
        // Packages are private objects: S3 when a bucket is configured, else EXPORT_STORAGE_DIR.
        {
          provide: EXPORT_STORAGE,
          useFactory: () =>
            storageFromEnv(
              {
                S3_BUCKET: config.S3_BUCKET,
                S3_ENDPOINT: config.S3_ENDPOINT,
                S3_REGION: config.S3_REGION,
                S3_ACCESS_KEY_ID: config.S3_ACCESS_KEY_ID,
                S3_SECRET_ACCESS_KEY: config.S3_SECRET_ACCESS_KEY,
                S3_FORCE_PATH_STYLE: String(config.S3_FORCE_PATH_STYLE),
              },
              { dir: config.EXPORT_STORAGE_DIR, publicUrl: 'http://web-service.invalid/exports' },
            ),
        },
        { provide: FORMS_RPC_CLIENT, useFactory: () => createRpcClient(config) },
        // The registry feature's repository, used read only (tools by their URL key); provided here
        // rather than by importing ToolRegistryModule, whose controller and middleware are AppModule's.
        ToolRegistryRepository,
        FormsSourceClient,
        ExportJobsRepository,
        ExportPreflight,
        ExportJobsService,
        ExportJobsProcessor,
        ExportCleanupProcessor,
      ],
    };
  }
}
