// A steady write load on the legacy monolith: inserts, updates and deletes spread over all 17
// tables, at a given rate, through ordinary sessions (so the cut-over guard stops it like the
// application). Plain CommonJS so the Jest tests and bench/db-split/run.mjs share it.
//
//   const load = await startWriteLoad(url, { rate: 200 });  ...  const stats = await load.stop();
//
// Inserts clone a random existing row under a new id, with the values that must stay unique
// (emails, slugs, tokens, codes) replaced, so every constraint and trigger of the source applies
// as it would for the application. Updates touch updated_at (or move created_at by 1 µs), deletes
// remove a row (tenants and users only rows the load inserted, so the cascade stays small).
'use strict';
const { Pool } = require('pg');

const TABLES = [
  'tenants',
  'users',
  'sessions',
  'password_resets',
  'audit_logs',
  'api_tokens',
  'api_token_usage',
  'tools',
  'tool_configs',
  'tool_registry',
  'export_jobs',
  'drawing_projects',
  'forms',
  'form_themes',
  'form_schemas',
  'form_submissions',
  'short_links',
];
const DEFAULT_TENANT = '00000000-0000-0000-0000-000000000000';
const OWN_ROWS_ONLY = new Set(['tenants', 'users']);
const UNIQUE_TEXT = 'substr(md5(random()::text || clock_timestamp()::text), 1, 16)';
const OVERRIDES = {
  users: { email: "'w' || substr(md5(random()::text || clock_timestamp()::text), 1, 12) || '@load.example.com'" },
  tool_configs: { version: "'9.' || (random() * 1e6)::int || '.' || (random() * 1e6)::int", is_active: 'false' },
};

const q = (name) => `"${name.replace(/"/g, '""')}"`;

async function tablePlan(pool, table) {
  const { rows: columns } = await pool.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated <> '' AS generated
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table],
  );
  const { rows: uniques } = await pool.query(
    `SELECT i.indisprimary AS primary, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::regclass AND i.indisunique GROUP BY i.indexrelid, i.indisprimary`,
    [table],
  );
  const key = uniques.find((u) => u.primary).columns[0];
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const replaced = { ...(OVERRIDES[table] ?? {}) };
  for (const unique of uniques.filter((u) => !u.primary)) {
    if (unique.columns.some((c) => replaced[c])) continue;
    const text = unique.columns.find((c) => /^(text|character)/.test(types.get(c)));
    if (text) replaced[text] = UNIQUE_TEXT;
  }
  const insertable = columns.filter((c) => !c.generated).map((c) => c.name);
  const exprs = insertable.map((c) => (c === key ? 'gen_random_uuid()' : (replaced[c] ?? q(c))));
  const has = (name) => types.has(name);
  // Tables without updated_at: move their creation time back by 1 µs (keeps expires_at > created_at).
  const stamp = has('created_at') ? 'created_at' : columns.find((c) => c.type.startsWith('timestamp'))?.name;
  return {
    table,
    key,
    insert: `INSERT INTO ${q(table)} (${insertable.map(q).join(', ')}) SELECT ${exprs.join(', ')} FROM ${q(table)} WHERE ${q(key)} = $1 RETURNING ${q(key)}::text AS id`,
    update: has('updated_at')
      ? `UPDATE ${q(table)} SET updated_at = clock_timestamp() WHERE ${q(key)} = $1`
      : `UPDATE ${q(table)} SET ${q(stamp)} = ${q(stamp)} - interval '1 microsecond' WHERE ${q(key)} = $1`,
    remove: `DELETE FROM ${q(table)} WHERE ${q(key)} = $1`,
    ids: (await pool.query(`SELECT ${q(key)}::text AS id FROM ${q(table)}`)).rows.map((r) => r.id).filter((id) => id !== DEFAULT_TENANT),
    own: [],
  };
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

function drop(list, id) {
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
}

/**
 * Starts the load; `stop()` waits for the operations in flight and returns, per table, how many
 * inserts, updates and deletes committed and how many failed (read-only guard, constraints).
 */
async function startWriteLoad(url, { rate = 100, concurrency = 4, tables = TABLES } = {}) {
  const pool = new Pool({ connectionString: url, max: concurrency, application_name: 'write-load' });
  pool.on('error', () => undefined); // sessions ended by cutover --terminate-others
  const plans = [];
  for (const table of tables) plans.push(await tablePlan(pool, table));
  const stats = Object.fromEntries(tables.map((t) => [t, { insert: 0, update: 0, delete: 0, failed: 0 }]));
  let running = true;
  let turn = 0;
  let lastError;

  async function once() {
    const plan = plans[turn++ % plans.length];
    const r = Math.random();
    const kind = r < 0.4 ? 'insert' : r < 0.85 ? 'update' : 'delete';
    const fromOwn = OWN_ROWS_ONLY.has(plan.table) || Math.random() < 0.5;
    const id =
      kind === 'delete' ? pick(fromOwn && plan.own.length ? plan.own : OWN_ROWS_ONLY.has(plan.table) ? [] : plan.ids) : pick(plan.ids);
    if (!id) return;
    try {
      if (kind === 'insert') {
        const { rows } = await pool.query(plan.insert, [id]);
        if (rows[0]) {
          plan.ids.push(rows[0].id);
          plan.own.push(rows[0].id);
        }
      } else if (kind === 'update') {
        await pool.query(plan.update, [id]);
      } else {
        await pool.query(plan.remove, [id]);
        drop(plan.ids, id);
        drop(plan.own, id);
      }
      stats[plan.table][kind]++;
    } catch (error) {
      stats[plan.table].failed++;
      lastError = error;
    }
  }

  const gap = (concurrency * 1000) / rate;
  const workers = Array.from({ length: concurrency }, async (_, w) => {
    let next = Date.now() + (w * gap) / concurrency;
    while (running) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!running) break;
      next += gap;
      await once();
    }
  });

  return {
    stats,
    get lastError() {
      return lastError;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
      await pool.end().catch(() => undefined);
      return stats;
    },
  };
}

module.exports = { startWriteLoad, TABLES };
