import { LegacyBaseline1700000000000 } from './1700000000000-legacy-baseline';
import { ApiTokenSha2561700000000001 } from './1700000000001-api-token-sha256';
import { EventOutbox1700000000002 } from './1700000000002-event-outbox';
import { EventOutboxRequestId1700000000003 } from './1700000000003-event-outbox-request-id';

/** In order. Add new migrations at the end; never edit one that has shipped. */
export const AUTH_MIGRATIONS = [
  LegacyBaseline1700000000000,
  ApiTokenSha2561700000000001,
  EventOutbox1700000000002,
  EventOutboxRequestId1700000000003,
];
