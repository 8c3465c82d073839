import { BadRequestError, createZodDto, zText, zUuidWith } from '@nafs/http';
import { z } from 'zod';

import { EXPORT_JOB_STATUSES, type ExportJobStatus } from '../export-job.entity';
import { type ExportJobWithTool, type ListJobsFilter, SORTABLE_COLUMNS, type SortColumn } from '../export-jobs.repository';
import { toolTypeOf } from '../strategies/export-strategy';

export class JobIdParamsDto extends createZodDto(z.object({ jobId: zUuidWith('Invalid job ID format') })) {}
export class ToolIdParamsDto extends createZodDto(z.object({ toolId: zText(100, { min: 1, message: 'Invalid tool ID' }) })) {}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

function intParam(value: unknown, fallback: number, min: number, max: number): number | null {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return null;
  const n = Number(value);
  return n < min || n > max ? null : n;
}

function dateParam(value: unknown): Date | undefined | null {
  if (value === undefined) return undefined;
  const text = str(value);
  if (!text || text.length > 40 || text.includes('\u0000')) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999 ? null : date;
}

/**
 * W25's query. Its errors are E4 bodies with their own codes (INVALID_LIMIT, INVALID_OFFSET,
 * INVALID_PARAMETERS), not a V-family, so it is parsed here rather than by the global pipe.
 */
export function parseListQuery(query: Record<string, unknown>): Omit<ListJobsFilter, 'userId'> {
  const limit = intParam(query.limit, 20, 1, 100);
  if (limit === null) throw new BadRequestError('INVALID_LIMIT', 'Limit must be between 1 and 100');
  const offset = intParam(query.offset, 0, 0, 1_000_000_000);
  if (offset === null) throw new BadRequestError('INVALID_OFFSET', 'Offset must be 0 or more');
  const sortBy = query.sort_by === undefined ? 'created_at' : str(query.sort_by);
  if (!sortBy || !(SORTABLE_COLUMNS as readonly string[]).includes(sortBy)) {
    throw new BadRequestError('INVALID_PARAMETERS', `sort_by must be one of: ${SORTABLE_COLUMNS.join(', ')}`);
  }
  const sortOrder = query.sort_order === undefined ? 'desc' : str(query.sort_order)?.toLowerCase();
  if (sortOrder !== 'asc' && sortOrder !== 'desc') throw new BadRequestError('INVALID_PARAMETERS', 'sort_order must be asc or desc');
  let statuses: ExportJobStatus[] | undefined;
  if (query.status_filter !== undefined) {
    const text = str(query.status_filter);
    const list =
      text
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean) ?? [];
    if (!text || text.length > 200 || list.some((s) => !(EXPORT_JOB_STATUSES as readonly string[]).includes(s))) {
      throw new BadRequestError('INVALID_PARAMETERS', `status_filter must be a comma list of: ${EXPORT_JOB_STATUSES.join(', ')}`);
    }
    statuses = list as ExportJobStatus[];
  }
  const toolType = query.tool_type_filter === undefined ? undefined : str(query.tool_type_filter);
  if (query.tool_type_filter !== undefined && (!toolType || toolType.length > 100 || toolType.includes('\u0000'))) {
    throw new BadRequestError('INVALID_PARAMETERS', 'tool_type_filter must be a tool id or type of at most 100 characters');
  }
  const startDate = dateParam(query.start_date);
  const endDate = dateParam(query.end_date);
  if (startDate === null || endDate === null)
    throw new BadRequestError('INVALID_PARAMETERS', 'start_date and end_date must be ISO 8601 dates');
  return {
    limit,
    offset,
    sortBy: sortBy as SortColumn,
    sortOrder: sortOrder === 'asc' ? 'ASC' : 'DESC',
    statuses,
    toolType: toolType || undefined,
    startDate,
    endDate,
  };
}

export const downloadPath = (jobId: string) => `/api/v1/tool-registry/export-jobs/${jobId}/download`;

/**
 * The legacy camelCase ExportJob. `packagePath` never carries the storage key (legacy leaked a
 * server path, §6 item 25): it is the download route while a package exists, else null.
 */
export function toExportJobDto(job: ExportJobWithTool) {
  const progress = job.stepsTotal > 0 ? Math.round((job.stepsCompleted / job.stepsTotal) * 100) : 0;
  return {
    jobId: job.jobId,
    toolId: job.toolId,
    userId: job.userId,
    status: job.status,
    stepsCompleted: job.stepsCompleted,
    stepsTotal: job.stepsTotal,
    currentStep: job.currentStep,
    progressPercentage: job.status === 'completed' ? 100 : progress,
    packagePath: job.packagePath ? downloadPath(job.jobId) : null,
    packageSizeBytes: job.packageSizeBytes === null ? null : Number(job.packageSizeBytes),
    errorMessage: job.errorMessage,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    completedAt: job.completedAt,
    downloadCount: job.downloadCount,
    lastDownloadedAt: job.lastDownloadedAt,
    packageExpiresAt: job.packageExpiresAt,
    packageRetentionDays: job.packageRetentionDays,
    packageChecksum: job.packageChecksum,
    packageAlgorithm: job.packageAlgorithm,
    checksumVerifiedAt: job.checksumVerifiedAt,
  };
}

export function toListedJobDto(job: ExportJobWithTool) {
  return {
    ...toExportJobDto(job),
    toolName: job.tool?.name ?? null,
    toolType: job.tool ? toolTypeOf(job.tool) : null,
    toolDescription: job.tool?.description ?? null,
  };
}
