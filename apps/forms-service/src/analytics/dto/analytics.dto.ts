import { createZodDto, zUuid } from '@nafs/http';
import { z } from 'zod';

import { TEMPLATE_CATEGORIES } from '../../templates/form-template.entity';

const day = z
  .string('must be a YYYY-MM-DD date')
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD date')
  .refine(
    (value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    'must be a valid date',
  );

export class AnalyticsParamsDto extends createZodDto(z.object({ formId: zUuid })) {}
/** forms-api accepted and ignored these; here they filter the submissions and override the detected category. */
export class AnalyticsQueryDto extends createZodDto(
  z.object({ startDate: day.optional(), endDate: day.optional(), category: z.enum(TEMPLATE_CATEGORIES).optional() }),
) {}
