import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface Population {
  schemaId: string;
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
}

export interface QuizQuestion {
  key: string;
  answer: string;
  points: number;
}

/** A jsonb value as a number when it is one (or a numeric string); anything else counts as absent instead of failing the query. */
const num = (key: string) =>
  `(CASE WHEN jsonb_typeof(v -> '${key}') = 'number' THEN (v ->> '${key}')::numeric
         WHEN jsonb_typeof(v -> '${key}') = 'string' AND (v ->> '${key}') ~ '^\\s*-?\\d+(\\.\\d+)?\\s*$' THEN btrim(v ->> '${key}')::numeric END)`;

/**
 * Category analytics computed in SQL over one schema version's submissions (forms-extras.md 4):
 * the database aggregates, only the (small) aggregates come back. Raw SQL throughout: jsonb
 * extraction, FILTER and percentile_cont have no query-builder form. Keys are fixed constants.
 */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private query<T = Record<string, unknown>>(population: Population, body: string, extra: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(
      `WITH pop AS (SELECT id, values_json AS v, submitted_at FROM form_submissions
                     WHERE form_schema_id = $1 AND ($2::timestamptz IS NULL OR submitted_at >= $2) AND ($3::timestamptz IS NULL OR submitted_at < $3))
       ${body}`,
      [population.schemaId, population.from, population.to, ...extra],
    );
  }

  async counts(population: Population): Promise<{ total: number; first: Date | null; last: Date | null }> {
    const [row] = await this.query<{ total: number; first: Date | null; last: Date | null }>(
      population,
      `SELECT count(*)::int AS total, min(submitted_at) AS first, max(submitted_at) AS last FROM pop`,
    );
    return row;
  }

  /** Keys of `required` that the newest submission lacks (absent or JSON null). */
  async missingKeys(population: Population, required: string[]): Promise<string[]> {
    const rows = await this.query<{ k: string }>(
      population,
      `, newest AS (SELECT v FROM pop ORDER BY submitted_at DESC NULLS LAST, id DESC LIMIT 1)
       SELECT k FROM newest, unnest($4::text[]) WITH ORDINALITY AS t(k, o) WHERE coalesce(v -> k, 'null'::jsonb) = 'null'::jsonb ORDER BY o`,
      [required],
    );
    return rows.map((row) => row.k);
  }

  pollCounts(population: Population): Promise<Array<{ option: string; votes: number }>> {
    return this.query(
      population,
      `SELECT coalesce(v ->> 'poll_option', 'null') AS option, count(*)::int AS votes FROM pop WHERE v ? 'poll_option' GROUP BY 1 ORDER BY votes DESC, option`,
    );
  }

  /** Percentage score per submission, aggregated: mean, median, pass rate, extremes, buckets; and per-question accuracy. */
  async quiz(population: Population, questions: QuizQuestion[], passMark: number) {
    const maxPoints = questions.reduce((sum, q) => sum + q.points, 0);
    const [summary] = await this.query<Record<string, string | number | null>>(
      population,
      `, q AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS q(key text, answer text, points numeric)),
         scores AS (
           SELECT pop.id, CASE WHEN $5::numeric = 0 THEN 0 ELSE
                    coalesce(sum(q.points) FILTER (WHERE lower(btrim(pop.v ->> q.key)) = lower(btrim(q.answer))), 0) / $5::numeric * 100 END AS pct
             FROM pop CROSS JOIN q GROUP BY pop.id)
       SELECT avg(pct) AS average, percentile_cont(0.5) WITHIN GROUP (ORDER BY pct) AS median,
              100.0 * count(*) FILTER (WHERE pct >= $6) / nullif(count(*), 0) AS pass_rate, max(pct) AS highest, min(pct) AS lowest,
              count(*) FILTER (WHERE pct <= 20)::int AS b1, count(*) FILTER (WHERE pct > 20 AND pct <= 40)::int AS b2,
              count(*) FILTER (WHERE pct > 40 AND pct <= 60)::int AS b3, count(*) FILTER (WHERE pct > 60 AND pct <= 80)::int AS b4,
              count(*) FILTER (WHERE pct > 80)::int AS b5
         FROM scores`,
      [JSON.stringify(questions), maxPoints, passMark],
    );
    const accuracy = await this.query<{ key: string; answered: number; correct: number }>(
      population,
      `, q AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS q(key text, answer text, points numeric))
       SELECT q.key, count(*) FILTER (WHERE pop.v ? q.key)::int AS answered,
              count(*) FILTER (WHERE lower(btrim(pop.v ->> q.key)) = lower(btrim(q.answer)))::int AS correct
         FROM pop CROSS JOIN q GROUP BY q.key ORDER BY q.key`,
      [JSON.stringify(questions)],
    );
    return { summary, accuracy };
  }

  async product(population: Population) {
    const [totals] = await this.query<{ revenue: string | null; items: string | null }>(
      population,
      `SELECT sum(${num('quantity')} * ${num('price')}) AS revenue, sum(${num('quantity')}) AS items FROM pop`,
    );
    const top = await this.query<{ product_id: string; name: string | null; quantity: string | null; revenue: string | null }>(
      population,
      `SELECT v ->> 'product_id' AS product_id, (array_agg(v ->> 'product_name' ORDER BY submitted_at NULLS LAST, id) FILTER (WHERE v ->> 'product_name' IS NOT NULL))[1] AS name,
              coalesce(sum(${num('quantity')}), 0) AS quantity, coalesce(sum(${num('quantity')} * ${num('price')}), 0) AS revenue
         FROM pop WHERE v ->> 'product_id' IS NOT NULL GROUP BY 1 ORDER BY revenue DESC, product_id LIMIT 10`,
    );
    return { totals, top };
  }

  async appointment(population: Population) {
    const [totals] = await this.query<{ booked: number; cancelled: number }>(
      population,
      `SELECT count(*) FILTER (WHERE coalesce(lower(v ->> 'status'), '') IN ('confirmed', 'pending', ''))::int AS booked,
              count(*) FILTER (WHERE lower(v ->> 'status') = 'cancelled')::int AS cancelled FROM pop`,
    );
    const slots = await this.query<{ time_slot: string; bookings: number }>(
      population,
      `SELECT v ->> 'time_slot' AS time_slot, count(*)::int AS bookings FROM pop WHERE v ->> 'time_slot' IS NOT NULL GROUP BY 1 ORDER BY bookings DESC, time_slot LIMIT 10`,
    );
    // Per booking_date text; the weekday is worked out by the caller, so an impossible date is "Unknown" instead of a cast error.
    const days = await this.query<{ booking_date: string | null; bookings: number }>(
      population,
      `SELECT v ->> 'booking_date' AS booking_date, count(*)::int AS bookings FROM pop WHERE v ->> 'time_slot' IS NOT NULL GROUP BY 1`,
    );
    return { totals, slots, days };
  }

  async restaurant(population: Population) {
    const [totals] = await this.query<{ revenue: string | null; items: string | null }>(
      population,
      `SELECT sum(${num('quantity')} * ${num('price')}) AS revenue, sum(${num('quantity')}) AS items FROM pop`,
    );
    const items = await this.query<{ item_name: string; quantity: string; revenue: string }>(
      population,
      `SELECT v ->> 'item_name' AS item_name, coalesce(sum(${num('quantity')}), 0) AS quantity, coalesce(sum(${num('quantity')} * ${num('price')}), 0) AS revenue
         FROM pop WHERE v ->> 'item_name' IS NOT NULL GROUP BY 1 ORDER BY quantity DESC, item_name LIMIT 10`,
    );
    // The modal hour of order_time, else submitted_at inside the values, as written in the ISO text (no cast that could fail).
    const [peak] = await this.query<{ hour: number | null }>(
      population,
      `SELECT substring(coalesce(v ->> 'order_time', v ->> 'submitted_at') FROM '^\\d{4}-\\d{2}-\\d{2}[T ]([01]\\d|2[0-3]):')::int AS hour, count(*) AS n
         FROM pop WHERE coalesce(v ->> 'order_time', v ->> 'submitted_at') ~ '^\\d{4}-\\d{2}-\\d{2}[T ]([01]\\d|2[0-3]):'
        GROUP BY 1 ORDER BY n DESC, hour LIMIT 1`,
    );
    return { totals, items, peakHour: peak?.hour ?? null };
  }
}
