import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `tenants`, column for column as in the legacy schema. */
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'slug', type: 'varchar', length: 100 })
  slug: string;

  @Column({ name: 'settings', type: 'jsonb', nullable: true })
  settings: unknown | null;

  @Column({ name: 'is_active', type: 'boolean', nullable: true })
  isActive: boolean | null;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt: Date | null;

  @Column({ name: 'plan', type: 'varchar', length: 50, nullable: true })
  plan: string | null;

  @Column({ name: 'max_users', type: 'integer', nullable: true })
  maxUsers: number | null;

  @Column({ name: 'status', type: 'varchar', length: 50, nullable: true })
  status: string | null;
}
