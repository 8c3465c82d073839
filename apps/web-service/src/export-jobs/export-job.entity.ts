import { Column, Entity, PrimaryColumn } from 'typeorm';

export const EXPORT_JOB_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled', 'cancelling', 'rolled_back'] as const;
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

/** Row of `export_jobs`, column for column as in the legacy schema. */
@Entity({ name: 'export_jobs' })
export class ExportJobEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid', default: () => 'gen_random_uuid()' })
  jobId: string;

  @Column({ name: 'tool_id', type: 'uuid' })
  toolId: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'status', type: 'enum', enum: EXPORT_JOB_STATUSES, enumName: 'export_job_status' })
  status: ExportJobStatus;

  @Column({ name: 'steps_completed', type: 'integer' })
  stepsCompleted: number;

  @Column({ name: 'steps_total', type: 'integer' })
  stepsTotal: number;

  @Column({ name: 'current_step', type: 'varchar', length: 255, nullable: true })
  currentStep: string | null;

  @Column({ name: 'progress_percentage', type: 'integer' })
  progressPercentage: number;

  @Column({ name: 'package_path', type: 'varchar', length: 500, nullable: true })
  packagePath: string | null;

  @Column({ name: 'package_size_bytes', type: 'bigint', nullable: true })
  packageSizeBytes: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'download_count', type: 'integer' })
  downloadCount: number;

  @Column({ name: 'last_downloaded_at', type: 'timestamptz', nullable: true })
  lastDownloadedAt: Date | null;

  @Column({ name: 'package_expires_at', type: 'timestamptz', nullable: true })
  packageExpiresAt: Date | null;

  @Column({ name: 'package_retention_days', type: 'integer' })
  packageRetentionDays: number;

  @Column({ name: 'package_checksum', type: 'varchar', length: 64, nullable: true })
  packageChecksum: string | null;

  @Column({ name: 'package_algorithm', type: 'varchar', length: 20 })
  packageAlgorithm: string;

  @Column({ name: 'checksum_verified_at', type: 'timestamptz', nullable: true })
  checksumVerifiedAt: Date | null;
}
