import { LegacyBaseline1700000000000 } from './1700000000000-legacy-baseline';
import { ProcessedEvents1700000000010 } from './1700000000010-processed-events';
import { WebEventOutbox1700000000020 } from './1700000000020-web-event-outbox';
import { WebEventOutboxRequestId1700000000030 } from './1700000000030-web-event-outbox-request-id';

/** In order. Add new migrations at the end; never edit one that has shipped. */
export const WEB_MIGRATIONS = [
  LegacyBaseline1700000000000,
  ProcessedEvents1700000000010,
  WebEventOutbox1700000000020,
  WebEventOutboxRequestId1700000000030,
];
