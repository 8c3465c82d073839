import { Injectable } from '@nestjs/common';

import { keyOf, type SchemaField } from '../public-forms/submission-values';
import { type BusinessLogicConfig, type ExecutionContext, type TemplateExecutor } from './template-executor';

interface Rule {
  fieldName: string;
  correctAnswer: unknown;
  points: number;
}

const DEFAULT_PASSING_SCORE = 60;

/**
 * Quiz scoring into the `metadata` fbui reads (score, correctAnswers, totalQuestions, passed,
 * pointsEarned, maxPoints, answeredAt). Rules come from the config's `scoringRules` (by field id
 * or fieldName) or, without them, from the fields' `metadata.correctAnswer`. Answers compare as
 * trimmed, case-insensitive text (the stored text is HTML-escaped, so it is unescaped first);
 * the score is points-weighted. The answer key is never echoed back.
 */
@Injectable()
export class QuizExecutor implements TemplateExecutor {
  readonly type = 'quiz';

  validate(config: BusinessLogicConfig, context: ExecutionContext): string[] {
    const rules = rulesOf(config, context.fields);
    if (!rules.length) return ['Quiz must have at least one scoring rule'];
    const passing = config.passingScore;
    if (passing !== undefined && passing !== null && (typeof passing !== 'number' || passing < 0 || passing > 100))
      return ['Passing score must be between 0 and 100'];
    return rules.filter((rule) => isBlank(context.values[rule.fieldName])).map((rule) => `Question '${rule.fieldName}' is required`);
  }

  async execute(config: BusinessLogicConfig, context: ExecutionContext): Promise<Record<string, unknown>> {
    const rules = rulesOf(config, context.fields);
    let correct = 0;
    let earned = 0;
    let max = 0;
    for (const rule of rules) {
      max += rule.points;
      if (matches(context.values[rule.fieldName], rule.correctAnswer)) {
        correct += 1;
        earned += rule.points;
      }
    }
    const score = max > 0 ? Math.round((earned / max) * 100) : 0;
    const passingScore = typeof config.passingScore === 'number' ? config.passingScore : DEFAULT_PASSING_SCORE;
    return {
      score,
      correctAnswers: correct,
      totalQuestions: rules.length,
      passed: score >= passingScore,
      pointsEarned: earned,
      maxPoints: max,
      answeredAt: new Date().toISOString(),
    };
  }
}

function rulesOf(config: BusinessLogicConfig, fields: SchemaField[]): Rule[] {
  const nameOf = new Map<string, string>();
  for (const field of fields) {
    const key = keyOf(field);
    if (!key) continue;
    nameOf.set(key, key);
    if (typeof field.id === 'string') nameOf.set(field.id, key);
  }
  const points = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 1);
  if (Array.isArray(config.scoringRules) && config.scoringRules.length) {
    return config.scoringRules.flatMap((raw: unknown) => {
      const rule = raw as { fieldId?: unknown; correctAnswer?: unknown; points?: unknown };
      const fieldName = typeof rule?.fieldId === 'string' ? nameOf.get(rule.fieldId) : undefined;
      return fieldName ? [{ fieldName, correctAnswer: rule.correctAnswer, points: points(rule.points) }] : [];
    });
  }
  return fields.flatMap((field) => {
    const meta = field.metadata ?? {};
    const key = keyOf(field);
    if (!key || meta.correctAnswer === undefined || meta.correctAnswer === null || meta.excludeFromQuiz === true) return [];
    return [{ fieldName: key, correctAnswer: meta.correctAnswer, points: points(meta.points) }];
  });
}

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && !value.length);

const unescape = (text: string) =>
  text
    .replace(/&#x2F;/g, '/')
    .replace(/&#x5C;/g, '\\')
    .replace(/&#96;/g, '`')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const normal = (value: unknown) => unescape(String(value)).trim().toLowerCase();

function answers(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(normal).sort();
  if (typeof value === 'string' && value.includes(',')) return value.split(',').map(normal).sort();
  return [normal(value)];
}

function matches(given: unknown, expected: unknown): boolean {
  if (isBlank(given)) return false;
  const a = answers(given);
  const b = answers(expected);
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
