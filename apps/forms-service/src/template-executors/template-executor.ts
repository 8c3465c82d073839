import type { EntityManager } from 'typeorm';

import type { SchemaField } from '../public-forms/submission-values';

/** A form's business-logic config (forms-extras.md 2.1): `type` picks the executor. */
export interface BusinessLogicConfig {
  type: string;
  [key: string]: unknown;
}

export interface ExecutionContext {
  /** `forms.id` (bookings and stock are per form). */
  formId: string;
  /** The schema version submitted to. */
  formSchemaId: string;
  fields: SchemaField[];
  /** The validated, sanitised values (what is stored). */
  values: Record<string, unknown>;
  ip: string;
  userAgent: string | null;
}

/**
 * Business logic run at public submission (forms-extras.md 3). `validate` refuses before anything
 * is stored (400); `execute` runs inside the transaction that stores the submission, so a domain
 * error thrown there (slot full, out of stock) stores nothing. Its result is merged into the
 * submission's `metadata` and answered as `data.metadata`.
 */
export interface TemplateExecutor {
  readonly type: string;
  validate(config: BusinessLogicConfig, context: ExecutionContext): string[];
  execute(
    config: BusinessLogicConfig,
    context: ExecutionContext,
    manager: EntityManager,
    submissionId: string,
  ): Promise<Record<string, unknown>>;
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
export const int = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isInteger(n) ? n : undefined;
};
