import { testInfra } from '@nafs/database/testing';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

import { binaryRowCounter, type RowCounter, textRowCounter } from './copy-format';

// Rows with NULLs, empty strings, embedded newlines and tabs, a 300 kB value and zero-column-like
// edge cases, as PostgreSQL itself writes them in both COPY formats.
const ROWS = `SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE repeat(E'a\\nb\\t', n) END AS t, ''::text AS e,
                     CASE WHEN n = 7 THEN repeat('x', 300000) END AS big, now() AS ts, '{"k": [1, 2.50]}'::jsonb AS j
                FROM generate_series(1, 257) n`;

async function copyOut(format: 'text' | 'binary'): Promise<Buffer> {
  const client = new Client({ connectionString: testInfra().pgUrl });
  await client.connect();
  try {
    const chunks: Buffer[] = [];
    const stream = client.query(copyTo(`COPY (${ROWS}) TO STDOUT (FORMAT ${format})`));
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await client.end();
  }
}

function feedIn(counter: RowCounter, data: Buffer, size: number): number {
  for (let i = 0; i < data.length; i += size) counter.feed(data.subarray(i, i + size));
  return counter.rows;
}

describe('COPY row counters (progress in rows for both formats)', () => {
  it.each([1, 2, 3, 7, 4096, 1 << 20])('count every row of a binary COPY stream cut into %i-byte pieces', async (size) => {
    const data = await copyOut('binary');
    expect(feedIn(binaryRowCounter(), data, size)).toBe(257);
  });

  it.each([1, 5, 65536])('count every row of a text COPY stream cut into %i-byte pieces', async (size) => {
    const data = await copyOut('text');
    expect(feedIn(textRowCounter(), data, size)).toBe(257);
  });
});
