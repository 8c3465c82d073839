import { assertSafeKey, type ObjectStorage } from '@nafs/storage';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';

import { EXPORT_JOBS_OPTIONS, EXPORT_MAINTENANCE_QUEUE, EXPORT_STORAGE, type ExportJobsOptions } from './export-jobs.config';
import { ExportJobsRepository } from './export-jobs.repository';

const SCHEDULER_ID = 'expired-export-packages';

/**
 * Deletes expired packages (legacy PackageCleanupJob, never started there) and nulls
 * `package_path`, so W31 answers 410. A BullMQ job scheduler: every replica upserts the same
 * scheduler id, so Redis holds one schedule and each run goes to exactly one worker of the cluster.
 */
@Processor(EXPORT_MAINTENANCE_QUEUE)
export class ExportCleanupProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('ExportCleanupProcessor');

  constructor(
    private readonly repository: ExportJobsRepository,
    @Inject(EXPORT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(EXPORT_JOBS_OPTIONS) private readonly options: ExportJobsOptions,
    @InjectQueue(EXPORT_MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.options.cleanupEveryMs },
      { name: 'cleanup', opts: { removeOnComplete: 10, removeOnFail: 10 } },
    );
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`export cleanup worker: ${error.message}`);
  }

  async process(): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await this.repository.expiredPackages(new Date());
      if (batch.length === 0) break;
      for (const job of batch) {
        const key = job.packagePath as string;
        try {
          assertSafeKey(key);
          await this.storage.delete(key);
        } catch {
          // a legacy /tmp/exports/... path: nothing of it is in our storage
        }
        await this.repository.forgetPackage(job.jobId, key);
        removed++;
      }
    }
    if (removed > 0) this.logger.log(`deleted ${removed} expired export package(s)`);
    return removed;
  }
}
