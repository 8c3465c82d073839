import { createHash } from 'node:crypto';

import { BadRequestError } from '@nafs/http';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { type BusinessLogicConfig, type ExecutionContext, str, type TemplateExecutor } from './template-executor';

export interface PollResults {
  total_votes: number;
  vote_counts: Record<string, number>;
  vote_percentages: Record<string, number>;
}

export const voteFieldOf = (config: BusinessLogicConfig) => str(config.voteField) ?? 'poll_option';

/** Counts the votes of one schema version (X14; raw SQL: grouping by a jsonb key chosen at runtime). */
export async function countVotes(manager: EntityManager, formSchemaId: string, voteField: string): Promise<PollResults> {
  const rows = (await manager.query(
    `SELECT values_json ->> $2 AS value, count(*)::int AS votes FROM form_submissions
      WHERE form_schema_id = $1 AND values_json ->> $2 IS NOT NULL
      GROUP BY 1 ORDER BY 2 DESC, 1`,
    [formSchemaId, voteField],
  )) as { value: string; votes: number }[];
  const total = rows.reduce((sum, row) => sum + row.votes, 0);
  const counts: Record<string, number> = {};
  const percentages: Record<string, number> = {};
  for (const row of rows) {
    counts[row.value] = row.votes;
    percentages[row.value] = total ? Math.round((row.votes / total) * 100) : 0;
  }
  return { total_votes: total, vote_counts: counts, vote_percentages: percentages };
}

/**
 * Poll votes (forms-extras.md 3.3), working: the vote is the submission's `<voteField>` value.
 * With `preventDuplicates` a voter votes once per schema version; the voter is the client IP
 * (`trackingMethod: "ip"`) or IP + User-Agent (session/fingerprint: the Angular apps never send
 * the session cookie back), kept as a hash in `poll_votes`, whose primary key decides races.
 */
@Injectable()
export class PollExecutor implements TemplateExecutor {
  readonly type = 'poll';

  validate(config: BusinessLogicConfig, context: ExecutionContext): string[] {
    const vote = context.values[voteFieldOf(config)];
    if (typeof vote !== 'string' && typeof vote !== 'number') return [`Vote field '${voteFieldOf(config)}' is required`];
    if (String(vote).trim() === '') return [`Vote field '${voteFieldOf(config)}' is required`];
    const method = config.trackingMethod;
    if (method !== undefined && !['session', 'ip', 'fingerprint', 'user'].includes(String(method)))
      return ['Invalid tracking method. Must be one of: session, ip, fingerprint'];
    return [];
  }

  async execute(
    config: BusinessLogicConfig,
    context: ExecutionContext,
    manager: EntityManager,
    submissionId: string,
  ): Promise<Record<string, unknown>> {
    const voteField = voteFieldOf(config);
    if (config.preventDuplicates === true) {
      const voter = createHash('sha256')
        .update(config.trackingMethod === 'ip' ? context.ip : `${context.ip}|${context.userAgent ?? ''}`)
        .digest('hex');
      const inserted = (await manager.query(
        `INSERT INTO poll_votes (form_schema_id, voter_key, submission_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING voter_key`,
        [context.formSchemaId, voter, submissionId],
      )) as unknown[];
      if (!inserted.length) throw new BadRequestError('ALREADY_VOTED', 'You have already voted in this poll');
    }
    const result: Record<string, unknown> = { voted_at: new Date().toISOString(), vote_value: context.values[voteField] };
    if (config.showResultsAfterVote === true)
      result.poll_results = { ...(await countVotes(manager, context.formSchemaId, voteField)), user_voted: true };
    return result;
  }
}
