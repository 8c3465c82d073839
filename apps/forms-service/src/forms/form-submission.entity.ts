import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `form_submissions`, column for column as in the legacy schema. */
@Entity({ name: 'form_submissions' })
export class FormSubmissionEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'form_schema_id', type: 'uuid' })
  formSchemaId: string;

  @Column({ name: 'values_json', type: 'jsonb' })
  valuesJson: unknown;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'submitter_ip', type: 'inet' })
  submitterIp: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'metadata', type: 'jsonb', nullable: true })
  metadata: unknown | null;
}
