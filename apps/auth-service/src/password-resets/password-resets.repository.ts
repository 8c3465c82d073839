import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import { PasswordResetEntity } from './password-reset.entity';

/** The SQL of `password_resets`. */
@Injectable()
export class PasswordResetsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The user's one pending reset: any earlier one is deleted in the same transaction. */
  async replaceForUser(userId: string, token: string, expiresAt: Date): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(PasswordResetEntity, { userId });
      await manager.insert(PasswordResetEntity, { userId, token, expiresAt, used: false });
    });
  }

  /** The row whose token is any of `tokens` (a new row holds a sha256, a legacy row the plaintext). */
  findByToken(tokens: string[]): Promise<PasswordResetEntity | null> {
    return this.dataSource.getRepository(PasswordResetEntity).createQueryBuilder('r').where('r.token IN (:...tokens)', { tokens }).getOne();
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.getRepository(PasswordResetEntity).delete({ id });
  }

  /** Marks the reset used; false when a concurrent confirmation got there first (raw SQL: the conditional UPDATE's row count is the claim). */
  async claim(manager: EntityManager, id: string): Promise<boolean> {
    const [, claimed] = await manager.query(`UPDATE password_resets SET used = true WHERE id = $1 AND used IS NOT TRUE`, [id]);
    return Boolean(claimed);
  }
}
