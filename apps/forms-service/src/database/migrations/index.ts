import { LegacyBaseline1700000000000 } from './1700000000000-legacy-baseline';
import { ProcessedEvents1700000000010 } from './1700000000010-processed-events';
import { PublicForms1700000000200 } from './1700000000200-public-forms';
import { FormTemplates1700000000300 } from './1700000000300-form-templates';
import { SeedFormTemplates1700000000301 } from './1700000000301-seed-form-templates';

/** In order. Add new migrations at the end; never edit one that has shipped. */
export const FORMS_MIGRATIONS = [
  LegacyBaseline1700000000000,
  ProcessedEvents1700000000010,
  PublicForms1700000000200,
  FormTemplates1700000000300,
  SeedFormTemplates1700000000301,
];
