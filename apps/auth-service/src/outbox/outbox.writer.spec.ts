import { randomUUID } from 'node:crypto';

import { AUTH_EVENTS } from '@nafs/contracts';
import { withRequestId } from '@nafs/observability';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { DataSource } from 'typeorm';

import { AUTH_SERVICE } from '../service';
import { OutboxWriter } from './outbox.writer';

describe('OutboxWriter (real PostgreSQL)', () => {
  let auth: RunningTestService;
  let dataSource: DataSource;
  let writer: OutboxWriter;

  beforeAll(async () => {
    auth = await startTestService(AUTH_SERVICE);
    dataSource = auth.app.get(DataSource);
    writer = auth.app.get(OutboxWriter);
  });
  afterAll(() => auth?.close());

  const rowsFor = async (tokenId: string) =>
    dataSource.query(`SELECT type, payload, occurred_at, published_at FROM event_outbox WHERE payload->>'tokenId' = $1`, [tokenId]);

  it('writes an unpublished event row inside the caller’s transaction', async () => {
    const tokenId = randomUUID();
    const id = await dataSource.transaction((manager) =>
      writer.write(manager, AUTH_EVENTS.apiTokenRevoked, { tokenId, userId: randomUUID(), tokenSha256: null }),
    );
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await rowsFor(tokenId);
    expect(rows).toEqual([
      { type: 'auth.api-token.revoked', payload: expect.objectContaining({ tokenId }), occurred_at: expect.any(Date), published_at: null },
    ]);
  });

  it('records the id of the request that caused the event (none outside a request)', async () => {
    const tokenId = randomUUID();
    await withRequestId('gw-outbox-1', () =>
      dataSource.transaction((manager) =>
        writer.write(manager, AUTH_EVENTS.apiTokenRevoked, { tokenId, userId: randomUUID(), tokenSha256: null }),
      ),
    );
    const other = randomUUID();
    await dataSource.transaction((manager) =>
      writer.write(manager, AUTH_EVENTS.apiTokenRevoked, { tokenId: other, userId: randomUUID(), tokenSha256: null }),
    );
    const requestIdOf = async (id: string) =>
      (await dataSource.query(`SELECT request_id FROM event_outbox WHERE payload->>'tokenId' = $1`, [id]))[0].request_id as string | null;
    expect(await requestIdOf(tokenId)).toBe('gw-outbox-1');
    expect(await requestIdOf(other)).toBeNull();
  });

  it('leaves nothing behind when the transaction rolls back', async () => {
    const tokenId = randomUUID();
    await expect(
      dataSource.transaction(async (manager) => {
        await writer.write(manager, AUTH_EVENTS.apiTokenRevoked, { tokenId, userId: randomUUID(), tokenSha256: null });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect(await rowsFor(tokenId)).toEqual([]);
  });

  it('keeps the order of the events of one transaction in occurred_at', async () => {
    const userId = randomUUID();
    await dataSource.transaction(async (manager) => {
      await writer.write(manager, AUTH_EVENTS.userUpdated, {
        userId,
        email: 'a@example.com',
        role: 'user',
        tenantId: null,
        isActive: false,
        changed: ['isActive'],
      });
      await writer.write(manager, AUTH_EVENTS.userDeactivated, { userId, tenantId: null });
    });
    const rows = await dataSource.query(`SELECT type FROM event_outbox WHERE payload->>'userId' = $1 ORDER BY occurred_at, id`, [userId]);
    expect(rows.map((row: { type: string }) => row.type)).toEqual(['auth.user.updated', 'auth.user.deactivated']);
  });

  it('refuses a manager that is not in a transaction', async () => {
    await expect(writer.write(dataSource.manager, AUTH_EVENTS.userDeleted, { userId: randomUUID(), tenantId: null })).rejects.toThrow(
      /open transaction/,
    );
  });

  it('has a partial index for the relay’s scan of unpublished rows', async () => {
    const [index] = await dataSource.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_event_outbox_unpublished'`);
    expect(index.indexdef).toContain('WHERE (published_at IS NULL)');
  });
});
