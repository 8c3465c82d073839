import type { Readable } from 'node:stream';

import type { AuthenticatedUser } from '@nafs/contracts';
import { BadRequestError, ConflictError, ForbiddenError, GoneError, NotFoundError, UnprocessableError } from '@nafs/http';
import { assertSafeKey, type ObjectStorage } from '@nafs/storage';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';

import { parseListQuery, toExportJobDto, toListedJobDto } from './dto/export-jobs.dto';
import type { ExportJobEntity } from './export-job.entity';
import { EXPORT_QUEUE, EXPORT_STORAGE } from './export-jobs.config';
import { ExportJobsRepository, type ExportJobWithTool } from './export-jobs.repository';
import { ExportPreflight, type ValidationResult } from './export-preflight';
import { toolTypeOf } from './strategies/export-strategy';
import { HashingStream } from './strategies/package-archive';
import { STRATEGIES } from './strategies/strategies';

export interface ExportQueueJob {
  jobId: string;
}

export interface PackageDownload {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
  /** Call when the body was sent completely (the download counter). */
  onComplete: () => Promise<void>;
}

const isAdmin = (user: AuthenticatedUser) => user.role === 'admin';
const owns = (user: AuthenticatedUser, job: ExportJobEntity) => isAdmin(user) || job.userId === user.id;

/**
 * Export permission (legacy 2.9): admin, or a user whose permissions contain `export`. No
 * identity carries permissions today (the legacy column never existed), so it is admins in practice.
 */
export function canExport(user: AuthenticatedUser & { permissions?: unknown }): boolean {
  return isAdmin(user) || (Array.isArray(user.permissions) && user.permissions.includes('export'));
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` against `size`; null when the header is not a single satisfiable range. */
export function parseRange(header: string, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? null : { start, end };
}

/** W25–W31 and #41 (legacy-api.md 3.2, 5.7): the rules; SQL in the repository, execution in the processor. */
@Injectable()
export class ExportJobsService {
  private readonly logger = new Logger('ExportJobsService');

  constructor(
    private readonly repository: ExportJobsRepository,
    private readonly preflight: ExportPreflight,
    @InjectQueue(EXPORT_QUEUE) private readonly queue: Queue<ExportQueueJob>,
    @Inject(EXPORT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  async list(user: AuthenticatedUser, query: Record<string, unknown>) {
    const filter = parseListQuery(query);
    const { jobs, total } = await this.repository.list({ ...filter, userId: isAdmin(user) ? null : user.id });
    return {
      jobs: jobs.map(toListedJobDto),
      total,
      limit: filter.limit,
      offset: filter.offset,
      page: Math.floor(filter.offset / filter.limit) + 1,
      totalPages: Math.ceil(total / filter.limit),
    };
  }

  async validate(toolKey: string): Promise<ValidationResult> {
    return (await this.preflight.check(toolKey)).result;
  }

  /**
   * W27. Definitive pre-flight errors refuse the export (404 unknown tool, else 422 with the
   * report); a forms-service outage does not: the job is queued and fails with the reason if forms
   * is still unreachable after the step's retries.
   */
  async start(user: AuthenticatedUser, toolKey: string) {
    if (!canExport(user)) throw new ForbiddenError('PERMISSION_DENIED', 'Export permission required');
    const { tool, result, onlyTransientErrors } = await this.preflight.check(toolKey);
    if (!tool) throw new NotFoundError('TOOL_NOT_FOUND', `Tool '${toolKey}' not found`);
    if (!result.success && !onlyTransientErrors) {
      throw new UnprocessableError('VALIDATION_ERROR', result.errors.map((e) => e.message).join('; '), { errors: result.errors });
    }
    const type = toolTypeOf(tool);
    if (!type) throw new UnprocessableError('VALIDATION_ERROR', 'Unknown tool type');
    const job = await this.repository.create(tool.id, user.id, STRATEGIES[type].steps.length);
    // jobId = the row's id: a replayed add is a no-op, and the worker finds the row by it.
    await this.queue.add('export', { jobId: job.jobId }, { jobId: job.jobId });
    const dto = toExportJobDto(job);
    return { ...dto, data: dto };
  }

  private async findVisible(user: AuthenticatedUser, jobId: string, forbiddenCode = 'PERMISSION_DENIED'): Promise<ExportJobWithTool> {
    const job = await this.repository.findById(jobId);
    if (!job) throw new NotFoundError('JOB_NOT_FOUND', 'Export job not found');
    if (!owns(user, job)) throw new ForbiddenError(forbiddenCode, 'You can only access your own export jobs');
    return job;
  }

  async status(user: AuthenticatedUser, jobId: string) {
    const dto = toExportJobDto(await this.findVisible(user, jobId));
    return { ...dto, data: dto };
  }

  async checksum(user: AuthenticatedUser, jobId: string) {
    const job = await this.findVisible(user, jobId);
    if (job.status !== 'completed') throw new BadRequestError('JOB_NOT_COMPLETED', 'Export job is not completed');
    if (!job.packageChecksum) throw new BadRequestError('CHECKSUM_NOT_AVAILABLE', 'No checksum is available for this package');
    const size = job.packageSizeBytes === null ? null : Number(job.packageSizeBytes);
    return {
      jobId: job.jobId,
      packageChecksum: job.packageChecksum,
      algorithm: job.packageAlgorithm,
      packageSizeBytes: size,
      packageSizeMB: `${((size ?? 0) / 1024 / 1024).toFixed(1)} MB`,
      createdAt: job.completedAt,
      verifiedAt: job.checksumVerifiedAt,
    };
  }

  async cancel(user: AuthenticatedUser, jobId: string) {
    await this.findVisible(user, jobId, 'UNAUTHORIZED_CANCELLATION');
    if (!(await this.repository.requestCancel(jobId)))
      throw new ConflictError('INVALID_JOB_STATUS', 'Only pending or in-progress jobs can be cancelled');
    // A job no worker has taken yet is cancelled right away; a running one stops before its next step.
    const queued = await this.queue.getJob(jobId);
    if (queued && ['waiting', 'delayed', 'prioritized'].includes(await queued.getState())) {
      try {
        await queued.remove();
        await this.repository.finish(jobId, 'cancelled', null);
      } catch {
        // taken by a worker meanwhile: it sees `cancelling` before its next step
      }
    }
    const body = { message: 'Export job cancelled successfully', jobId, status: 'cancelling' as const };
    return { ...body, data: { jobId, status: 'cancelling' as const } };
  }

  async remove(user: AuthenticatedUser, jobId: string) {
    const job = await this.findVisible(user, jobId);
    if (['pending', 'in_progress', 'cancelling'].includes(job.status)) {
      throw new ConflictError('INVALID_JOB_STATUS', 'Cancel the export job before deleting it');
    }
    if (job.packagePath && this.isStorageKey(job.packagePath)) await this.storage.delete(job.packagePath);
    await (await this.queue.getJob(jobId))?.remove().catch(() => undefined);
    await this.repository.delete(jobId);
    return { message: 'Export job deleted successfully', jobId };
  }

  private isStorageKey(path: string): boolean {
    try {
      assertSafeKey(path);
      return true;
    } catch {
      return false; // a legacy /tmp/exports/... path: that file lived on one old instance only
    }
  }

  /** W31 (legacy-api.md 5.7, in its order). */
  async download(user: AuthenticatedUser, jobId: string, rangeHeader: string | undefined): Promise<PackageDownload> {
    const job = await this.repository.findById(jobId);
    if (!job) throw new NotFoundError('JOB_NOT_FOUND', 'Export job not found');
    if (job.status !== 'completed') throw new NotFoundError('PACKAGE_NOT_READY', 'Export package is not ready');
    const expired = job.packageExpiresAt !== null && job.packageExpiresAt.getTime() <= Date.now();
    if (!job.packagePath || expired) {
      throw new GoneError('PACKAGE_EXPIRED', 'Export package has expired and was deleted', { expiresAt: job.packageExpiresAt });
    }
    if (!owns(user, job)) throw new ForbiddenError('DOWNLOAD_UNAUTHORIZED', 'You can only download your own export packages');
    const key = job.packagePath;
    const size = this.isStorageKey(key) ? await this.storage.size(key) : null;
    if (size === null) throw new NotFoundError('FILE_NOT_FOUND', 'Export package file not found');
    if (job.packageChecksum) {
      const actual = await this.hashOf(key);
      if (actual !== job.packageChecksum) {
        this.logger.warn(
          `SECURITY: export package ${jobId} does not match its checksum (stored ${job.packageChecksum}, actual ${actual}); download refused`,
        );
        throw new ForbiddenError('PACKAGE_TAMPERED', 'Export package failed its integrity check');
      }
      await this.repository.markVerified(jobId);
    } else {
      this.logger.log(`legacy download of export package ${jobId} without a checksum`);
    }
    let range: { start: number; end: number } | undefined;
    if (rangeHeader !== undefined) {
      range = parseRange(rangeHeader, size) ?? undefined;
      if (!range) throw new BadRequestError('INVALID_RANGE', 'Invalid Range header', { size });
    }
    const body = await this.storage.openRead(key, range);
    if (!body) throw new NotFoundError('FILE_NOT_FOUND', 'Export package file not found');
    const date = (job.completedAt ?? new Date()).toISOString().slice(0, 10);
    const length = range ? range.end - range.start + 1 : size;
    const headers: Record<string, string> = {
      'Content-Type': 'application/gzip',
      'Content-Disposition': `attachment; filename="export-${jobId}-${date}.tar.gz"`,
      'Content-Length': String(length),
      'Cache-Control': 'private, max-age=3600',
      'Accept-Ranges': 'bytes',
      'X-Package-Size': humanSize(size),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'X-Download-Options': 'noopen',
      'X-XSS-Protection': '1; mode=block',
      'Content-Security-Policy': "default-src 'none'",
      'Referrer-Policy': 'no-referrer',
    };
    if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    // A download counts once its last byte was sent (a ranged resume counts when it reaches the end).
    const completesFile = !range || range.end === size - 1;
    return {
      status: range ? 206 : 200,
      headers,
      body,
      onComplete: () => (completesFile ? this.repository.recordDownload(jobId) : Promise.resolve()),
    };
  }

  private async hashOf(key: string): Promise<string | null> {
    const stream = await this.storage.openRead(key);
    if (!stream) return null;
    const hashing = new HashingStream();
    stream.pipe(hashing);
    hashing.resume();
    await new Promise<void>((resolve, reject) => {
      hashing.on('end', resolve);
      hashing.on('error', reject);
      stream.on('error', reject);
    });
    return hashing.digest();
  }
}
