import { LegacyBaseline1700000000000 } from './1700000000000-legacy-baseline';

/** In order. Add new migrations at the end; never edit one that has shipped. */
export const WEB_MIGRATIONS = [LegacyBaseline1700000000000];
