import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `drawing_projects`, column for column as in the legacy schema. */
@Entity({ name: 'drawing_projects' })
export class DrawingProjectEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'template_data', type: 'jsonb' })
  templateData: unknown;

  @Column({ name: 'thumbnail', type: 'text', nullable: true })
  thumbnail: string | null;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
