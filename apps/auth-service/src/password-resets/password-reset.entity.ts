import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `password_resets`, column for column as in the legacy schema. */
@Entity({ name: 'password_resets' })
export class PasswordResetEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'token', type: 'varchar', length: 255 })
  token: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used', type: 'boolean', nullable: true })
  used: boolean | null;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;
}
