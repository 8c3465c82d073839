import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `short_links`, column for column as in the legacy schema. */
@Entity({ name: 'short_links' })
export class ShortLinkEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'code', type: 'varchar', length: 30 })
  code: string;

  @Column({ name: 'original_url', type: 'text' })
  originalUrl: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'click_count', type: 'integer' })
  clickCount: number;

  @Column({ name: 'last_accessed', type: 'timestamptz', nullable: true })
  lastAccessed: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'qr_code_url', type: 'varchar', length: 512, nullable: true })
  qrCodeUrl: string | null;

  @Column({ name: 'form_schema_id', type: 'uuid', nullable: true })
  formSchemaId: string | null;
}
