import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ObjectStorage } from '@nafs/storage';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';

import { EXPORT_JOBS_OPTIONS, EXPORT_QUEUE, EXPORT_STORAGE, type ExportJobsOptions } from './export-jobs.config';
import { ExportJobsRepository } from './export-jobs.repository';
import type { ExportQueueJob } from './export-jobs.service';
import { FormsSourceClient, FormsSourceError } from './forms-source.client';
import {
  type ExportStep,
  fileStreamWriter,
  fileWriter,
  PermanentStepError,
  type StepContext,
  toolTypeOf,
} from './strategies/export-strategy';
import { type BuiltPackage, STRATEGIES } from './strategies/strategies';

class StepTimeoutError extends Error {
  override name = 'StepTimeoutError';
}

class Cancelled extends Error {}

/**
 * Runs export jobs from the BullMQ queue: any replica, `EXPORT_CONCURRENCY` at once each. A job
 * survives a restart: a replica that dies loses the job's lock after `EXPORT_LOCK_MS`, BullMQ's
 * stalled check hands the job to another worker, which starts it again from the first step (the
 * scratch files died with the replica); a second stall fails it. Progress and the current step
 * are written to `export_jobs` before each step; cancellation is honoured between steps.
 */
// autorun false: the worker options come from the validated config at bootstrap, not the decorator.
@Processor(EXPORT_QUEUE, { autorun: false })
export class ExportJobsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('ExportJobsProcessor');

  constructor(
    private readonly repository: ExportJobsRepository,
    private readonly forms: FormsSourceClient,
    @Inject(EXPORT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(EXPORT_JOBS_OPTIONS) private readonly options: ExportJobsOptions,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const opts = this.worker.opts as { lockDuration?: number; lockRenewTime?: number; stalledInterval?: number; maxStalledCount?: number };
    opts.lockDuration = this.options.lockMs;
    opts.lockRenewTime = Math.floor(this.options.lockMs / 2);
    opts.stalledInterval = this.options.lockMs;
    opts.maxStalledCount = 1;
    // The lock manager copied the lock options when the worker was built; rebuild it (a documented
    // extension point of BullMQ's Worker) before the worker runs.
    (this.worker as unknown as { createLockManager(): void }).createLockManager();
    this.worker.concurrency = this.options.concurrency;
    void this.worker.run().catch((error) => this.logger.error(`export worker stopped: ${(error as Error).message}`));
  }

  async process(job: Job<ExportQueueJob>): Promise<string> {
    const { jobId } = job.data;
    const row = await this.repository.findById(jobId);
    if (!row) return 'deleted';
    if (row.status === 'cancelling') {
      await this.repository.finish(jobId, 'cancelled', null);
      return 'cancelled';
    }
    if (row.status !== 'pending' && row.status !== 'in_progress') return row.status;
    const type = row.tool ? toolTypeOf(row.tool) : null;
    if (!row.tool || !type) {
      await this.repository.finish(jobId, 'failed', row.tool ? 'Unknown tool type' : 'The tool is no longer registered');
      return 'failed';
    }
    const steps = STRATEGIES[type].steps;
    if (!(await this.repository.start(jobId, steps.length))) return (await this.repository.status(jobId)) ?? 'deleted';

    const workDir = join(this.options.tempDir, jobId);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    const abort = new AbortController();
    const context: StepContext = {
      jobId,
      tool: row.tool,
      workDir,
      signal: abort.signal,
      forms: this.forms,
      storage: this.storage,
      state: {},
      write: fileWriter(workDir),
      writeFrom: fileStreamWriter(workDir, abort.signal),
    };
    const done: ExportStep[] = [];
    let current: ExportStep | undefined;
    try {
      for (const [index, step] of steps.entries()) {
        if ((await this.repository.status(jobId)) !== 'in_progress') throw new Cancelled();
        current = step;
        await this.repository.progress(jobId, index, steps.length, step.name);
        await job.updateProgress({ step: step.name, stepsCompleted: index, stepsTotal: steps.length });
        await this.runStep(step, context);
        done.push(step);
        if (this.options.stepDelayMs > 0) await sleep(this.options.stepDelayMs);
      }
      if (!(await this.repository.complete(jobId, context.state.package as BuiltPackage))) throw new Cancelled();
      return 'completed';
    } catch (error) {
      if (error instanceof Cancelled || (await this.repository.status(jobId)) === 'cancelling') {
        await this.rollback(done, context);
        await this.repository.finish(jobId, 'cancelled', null);
        return 'cancelled';
      }
      const message = `Step "${current?.name ?? 'start'}" failed: ${(error as Error).message}`;
      this.logger.warn(`export job ${jobId}: ${message}`);
      await this.repository.finish(jobId, 'failed', message);
      await this.rollback(done, context);
      await this.repository.finish(jobId, 'rolled_back', message);
      return 'rolled_back';
    } finally {
      abort.abort();
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** One step: its own timeout per attempt; transient failures of a retryable step retried with doubling backoff. */
  private async runStep(step: ExportStep, context: StepContext): Promise<void> {
    const attempts = step.retryable ? this.options.stepRetries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withTimeout(step, context);
        return;
      } catch (error) {
        const permanent = error instanceof PermanentStepError || error instanceof FormsSourceError;
        if (permanent || attempt >= attempts) throw error;
        this.logger.warn(
          `export job ${context.jobId}: step ${step.name} attempt ${attempt} failed (${(error as Error).message}); retrying`,
        );
        await sleep(this.options.stepBackoffMs * 2 ** (attempt - 1));
      }
    }
  }

  private async withTimeout(step: ExportStep, context: StepContext): Promise<void> {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    context.signal.addEventListener('abort', onOuterAbort);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        step.run({ ...context, signal: controller.signal }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new StepTimeoutError(`timed out after ${this.options.stepTimeoutMs} ms`));
          }, this.options.stepTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onOuterAbort);
    }
  }

  private async rollback(done: ExportStep[], context: StepContext): Promise<void> {
    for (const step of [...done].reverse()) {
      try {
        await step.rollback?.(context);
      } catch (error) {
        this.logger.error(`export job ${context.jobId}: rollback of ${step.name} failed: ${(error as Error).message}`);
      }
    }
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`export worker: ${error.message}`);
  }

  /** BullMQ gave up on a job (stalled twice: its replicas kept dying): the row must not stay in_progress. */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<ExportQueueJob> | undefined, error: Error): Promise<void> {
    if (!job) return;
    this.logger.error(`export job ${job.data.jobId} failed in the queue: ${error.message}`);
    await this.repository.finish(job.data.jobId, 'failed', `Export interrupted: ${error.message}`).catch(() => undefined);
  }
}
