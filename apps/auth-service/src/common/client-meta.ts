import { clientIp, userAgent } from '@nafs/http';
import type { Request } from 'express';

import type { ClientMeta } from '../sessions/sessions.service';

/** Who made the request, as sessions and audit rows record it. */
export function clientMeta(request: Request): ClientMeta {
  return { ip: clientIp(request), userAgent: userAgent(request) };
}
