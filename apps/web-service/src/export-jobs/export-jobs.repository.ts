import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In, IsNull, LessThan, Not } from 'typeorm';

import { ToolRegistryEntryEntity } from '../tool-registry/tool-registry-entry.entity';
import { ExportJobEntity, type ExportJobStatus } from './export-job.entity';

export type ExportJobWithTool = ExportJobEntity & { tool?: ToolRegistryEntryEntity | null };

export const SORTABLE_COLUMNS = ['created_at', 'completed_at', 'download_count', 'package_size_bytes'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];
const SORT_PROPERTY: Record<SortColumn, keyof ExportJobEntity> = {
  created_at: 'createdAt',
  completed_at: 'completedAt',
  download_count: 'downloadCount',
  package_size_bytes: 'packageSizeBytes',
};

export interface ListJobsFilter {
  /** null: every user's jobs (admin). */
  userId: string | null;
  statuses?: ExportJobStatus[];
  toolType?: string;
  startDate?: Date;
  endDate?: Date;
  sortBy: SortColumn;
  sortOrder: 'ASC' | 'DESC';
  limit: number;
  offset: number;
}

export interface CompletedPackage {
  key: string;
  sizeBytes: number;
  checksum: string;
}

const ACTIVE: ExportJobStatus[] = ['pending', 'in_progress'];

/** SQL of `export_jobs` (joined to `tool_registry` read only for the listed tool names and types). */
@Injectable()
export class ExportJobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get jobs() {
    return this.dataSource.getRepository(ExportJobEntity);
  }

  private withTool() {
    return this.jobs.createQueryBuilder('job').leftJoinAndMapOne('job.tool', ToolRegistryEntryEntity, 'tool', 'tool.id = job.tool_id');
  }

  findById(jobId: string): Promise<ExportJobWithTool | null> {
    return this.withTool().where('job.job_id = :jobId', { jobId }).getOne();
  }

  async list(filter: ListJobsFilter): Promise<{ jobs: ExportJobWithTool[]; total: number }> {
    const query = this.withTool();
    if (filter.userId) query.andWhere('job.user_id = :userId', { userId: filter.userId });
    if (filter.statuses?.length) query.andWhere('job.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.toolType) {
      query.andWhere(
        new Brackets((match) =>
          match
            .where('tool.tool_id = :toolType', { toolType: filter.toolType })
            .orWhere("tool.manifest_json ->> 'toolType' = :toolType", { toolType: filter.toolType }),
        ),
      );
    }
    if (filter.startDate) query.andWhere('job.created_at >= :startDate', { startDate: filter.startDate });
    if (filter.endDate) query.andWhere('job.created_at <= :endDate', { endDate: filter.endDate });
    query
      .orderBy(`job.${SORT_PROPERTY[filter.sortBy]}`, filter.sortOrder, filter.sortOrder === 'DESC' ? 'NULLS LAST' : 'NULLS FIRST')
      .addOrderBy('job.jobId', 'ASC')
      .skip(filter.offset)
      .take(filter.limit);
    const [jobs, total] = await query.getManyAndCount();
    return { jobs, total };
  }

  async create(toolId: string, userId: string, stepsTotal: number): Promise<ExportJobEntity> {
    const rows: { job_id: string }[] = await this.dataSource.query(
      `INSERT INTO export_jobs (tool_id, user_id, status, steps_total) VALUES ($1, $2, 'pending', $3) RETURNING job_id`,
      [toolId, userId, stepsTotal],
    );
    return this.jobs.findOneByOrFail({ jobId: rows[0].job_id });
  }

  /** pending (or a job a dead replica left in_progress) → in_progress, from step 0; false if it was cancelled or finished meanwhile. */
  async start(jobId: string, stepsTotal: number): Promise<boolean> {
    const result = await this.jobs.update({ jobId, status: In(ACTIVE) }, {
      status: 'in_progress',
      stepsTotal,
      stepsCompleted: 0,
      progressPercentage: 0,
      currentStep: null,
      errorMessage: null,
      startedAt: () => 'now()',
    } as never);
    return (result.affected ?? 0) > 0;
  }

  async progress(jobId: string, stepsCompleted: number, stepsTotal: number, currentStep: string | null): Promise<void> {
    await this.jobs.update(
      { jobId, status: 'in_progress' },
      { stepsCompleted, currentStep, progressPercentage: stepsTotal === 0 ? 0 : Math.round((stepsCompleted / stepsTotal) * 100) },
    );
  }

  async status(jobId: string): Promise<ExportJobStatus | null> {
    const row = await this.jobs.findOne({ where: { jobId }, select: { jobId: true, status: true } });
    return row?.status ?? null;
  }

  /** W30: pending/in_progress → cancelling; false when the job is in another state. */
  async requestCancel(jobId: string): Promise<boolean> {
    const result = await this.jobs.update({ jobId, status: In(ACTIVE) }, { status: 'cancelling' });
    return (result.affected ?? 0) > 0;
  }

  async finish(jobId: string, status: 'cancelled' | 'failed' | 'rolled_back', errorMessage: string | null): Promise<void> {
    await this.jobs.update({ jobId, status: In(['pending', 'in_progress', 'cancelling', 'failed']) }, {
      status,
      errorMessage: errorMessage?.slice(0, 2000) ?? null,
      completedAt: () => 'now()',
    } as never);
  }

  /** in_progress → completed with the package; false when the job was cancelled meanwhile. */
  async complete(jobId: string, pkg: CompletedPackage): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE export_jobs SET status = 'completed', steps_completed = steps_total, progress_percentage = 100, current_step = NULL,
         package_path = $2, package_size_bytes = $3, package_checksum = $4, package_algorithm = 'sha256', completed_at = now(),
         package_expires_at = now() + make_interval(days => package_retention_days)
       WHERE job_id = $1 AND status = 'in_progress'`,
      [jobId, pkg.key, pkg.sizeBytes, pkg.checksum],
    );
    return (result[1] ?? 0) > 0;
  }

  async markVerified(jobId: string): Promise<void> {
    await this.jobs.update({ jobId }, { checksumVerifiedAt: () => 'now()' } as never);
  }

  /** Legacy 5.7 step 7: one atomic increment when a download stream ended. */
  async recordDownload(jobId: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE export_jobs SET download_count = download_count + 1, last_downloaded_at = now() WHERE job_id = $1',
      [jobId],
    );
  }

  async delete(jobId: string): Promise<void> {
    await this.jobs.delete({ jobId });
  }

  /** Jobs whose package expired and still has one. */
  expiredPackages(now: Date, limit = 500): Promise<Pick<ExportJobEntity, 'jobId' | 'packagePath'>[]> {
    return this.jobs.find({
      where: { packagePath: Not(IsNull()), packageExpiresAt: LessThan(now) },
      select: { jobId: true, packagePath: true },
      take: limit,
    });
  }

  async forgetPackage(jobId: string, packagePath: string): Promise<void> {
    await this.jobs.update({ jobId, packagePath }, { packagePath: null, packageSizeBytes: null });
  }
}
