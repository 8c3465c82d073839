import { LegacyBaseline1700000000000 } from './1700000000000-legacy-baseline';
import { ProcessedEvents1700000000010 } from './1700000000010-processed-events';

/** In order. Add new migrations at the end; never edit one that has shipped. */
export const FORMS_MIGRATIONS = [LegacyBaseline1700000000000, ProcessedEvents1700000000010];
