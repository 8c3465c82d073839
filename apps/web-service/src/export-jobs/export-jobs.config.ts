import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { booleanFlag, nonNegativeInt, optional, positiveInt } from '@nafs/config';
import type { RpcPolicyOptions } from '@nafs/rpc';
import { z } from 'zod';

const url = optional(z.string().url('must be a URL'));

/** The variables of export jobs (README "Export jobs"); spread into web's config schema. */
export const exportJobsEnvShape = {
  /** Export jobs one replica runs at once. */
  EXPORT_CONCURRENCY: positiveInt(2),
  /** Legacy: each step has 5 minutes. */
  EXPORT_STEP_TIMEOUT_MS: positiveInt(300_000),
  /** Extra attempts of a retryable step (legacy 3 attempts), the first backoff (then doubled). */
  EXPORT_STEP_RETRIES: nonNegativeInt(2),
  EXPORT_STEP_BACKOFF_MS: positiveInt(2000),
  /** Pause after every step: tests and demos only (progress visible to a poller). */
  EXPORT_STEP_DELAY_MS: nonNegativeInt(0),
  /** BullMQ lock of a running job; a replica that died loses it after this long and the job is retried once. */
  EXPORT_LOCK_MS: positiveInt(30_000),
  /** How often the (once-per-cluster) cleanup deletes expired packages. */
  EXPORT_CLEANUP_EVERY_MS: positiveInt(3_600_000),
  /** Scratch space of the steps on this replica (packages themselves go to the object storage). */
  EXPORT_TEMP_DIR: z.string().default(join(tmpdir(), 'nafs-exports')),
  /** Local package storage when no S3 bucket is configured (a volume shared by the replicas). */
  EXPORT_STORAGE_DIR: z.string().default('./exports'),
  S3_ENDPOINT: url,
  S3_BUCKET: optional(z.string().min(1)),
  S3_REGION: optional(z.string().min(1)),
  S3_ACCESS_KEY_ID: optional(z.string().min(1)),
  S3_SECRET_ACCESS_KEY: optional(z.string().min(1)),
  S3_FORCE_PATH_STYLE: booleanFlag(false),
  /** The forms RPC (export sources): the same policy as the identity client's. */
  FORMS_RPC_TIMEOUT_MS: positiveInt(1000),
  FORMS_RPC_DEADLINE_MS: positiveInt(3000),
  FORMS_RPC_RETRIES: nonNegativeInt(2),
  FORMS_RPC_BREAKER_THRESHOLD: positiveInt(5),
  FORMS_RPC_BREAKER_HALF_OPEN_MS: positiveInt(1000),
};

export type ExportJobsEnv = z.infer<z.ZodObject<typeof exportJobsEnvShape>> & { REDIS_KEY_PREFIX: string };

export interface ExportJobsOptions {
  concurrency: number;
  stepTimeoutMs: number;
  stepRetries: number;
  stepBackoffMs: number;
  stepDelayMs: number;
  lockMs: number;
  cleanupEveryMs: number;
  tempDir: string;
  /** BullMQ key prefix: `<REDIS_KEY_PREFIX>bull`, so environments and test files never share queues. */
  queuePrefix: string;
  formsRpc: RpcPolicyOptions;
}

export function exportJobsOptions(config: ExportJobsEnv): ExportJobsOptions {
  return {
    concurrency: config.EXPORT_CONCURRENCY,
    stepTimeoutMs: config.EXPORT_STEP_TIMEOUT_MS,
    stepRetries: config.EXPORT_STEP_RETRIES,
    stepBackoffMs: config.EXPORT_STEP_BACKOFF_MS,
    stepDelayMs: config.EXPORT_STEP_DELAY_MS,
    lockMs: config.EXPORT_LOCK_MS,
    cleanupEveryMs: config.EXPORT_CLEANUP_EVERY_MS,
    tempDir: config.EXPORT_TEMP_DIR,
    queuePrefix: `${config.REDIS_KEY_PREFIX}bull`,
    formsRpc: {
      timeoutMs: config.FORMS_RPC_TIMEOUT_MS,
      deadlineMs: config.FORMS_RPC_DEADLINE_MS,
      retries: config.FORMS_RPC_RETRIES,
      breakerThreshold: config.FORMS_RPC_BREAKER_THRESHOLD,
      breakerHalfOpenMs: config.FORMS_RPC_BREAKER_HALF_OPEN_MS,
    },
  };
}

export const EXPORT_JOBS_OPTIONS = Symbol('EXPORT_JOBS_OPTIONS');
export const EXPORT_STORAGE = Symbol('EXPORT_STORAGE');
export const FORMS_RPC_CLIENT = Symbol('FORMS_RPC_CLIENT');
export const EXPORT_QUEUE = 'export-jobs';
export const EXPORT_MAINTENANCE_QUEUE = 'export-maintenance';
