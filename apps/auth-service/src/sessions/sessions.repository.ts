import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import { SessionEntity } from './session.entity';

/** The SQL of `sessions`. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    session: Pick<SessionEntity, 'id' | 'userId' | 'refreshToken' | 'expiresAt' | 'ipAddress' | 'userAgent'>,
  ): Promise<void> {
    await manager.insert(SessionEntity, session);
  }

  /** The session holding `refreshToken`, row-locked until `manager`'s transaction ends. */
  findByTokenForUpdate(manager: EntityManager, refreshToken: string): Promise<SessionEntity | null> {
    return manager
      .getRepository(SessionEntity)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.refresh_token = :token', { token: refreshToken })
      .getOne();
  }

  async replaceToken(manager: EntityManager, id: string, refreshToken: string, expiresAt: Date): Promise<void> {
    await manager.update(SessionEntity, { id }, { refreshToken, expiresAt });
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(SessionEntity, { id });
  }

  /** Deletes session `id` if it belongs to `userId`; whether there was one. */
  async deleteOfUser(manager: EntityManager, id: string, userId: string): Promise<boolean> {
    const result = await manager.delete(SessionEntity, { id, userId });
    return Boolean(result.affected);
  }

  /** Deletes the session of `refreshToken`; returns its user, if there was one (raw SQL: DELETE ... RETURNING, one round trip). */
  async deleteByToken(refreshToken: string): Promise<string | null> {
    const rows: [{ user_id: string }[], number] = await this.dataSource.query(
      `DELETE FROM sessions WHERE refresh_token = $1 RETURNING user_id`,
      [refreshToken],
    );
    return rows[0][0]?.user_id ?? null;
  }

  async deleteAllOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const result = await manager.delete(SessionEntity, { userId });
    return result.affected ?? 0;
  }
}
