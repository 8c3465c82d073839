import { createZodDto } from '@nafs/http';
import { z } from 'zod';

/** F22 body `{ values: { <fieldName>: value }, metadata? }` (metadata: step events, not stored). */
export const submitFormSchema = z.looseObject({
  values: z.record(z.string().max(200), z.unknown(), 'Form values are required'),
  metadata: z.unknown().optional(),
});
export class SubmitFormDto extends createZodDto(submitFormSchema) {}
