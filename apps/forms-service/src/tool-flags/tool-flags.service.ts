import { Injectable } from '@nestjs/common';

import { ToolFlagsRepository } from './tool-flags.repository';

/**
 * Whether a web tool is active, from the local read model (never a call to web).
 *
 * Before forms has received any tool event at all ("web never heard from": a fresh deployment
 * whose web has not published yet), a tool counts as active, as web seeds it; once any tool event
 * has arrived, a tool web never announced counts as missing (inactive), as in the legacy check.
 */
@Injectable()
export class ToolFlagsService {
  constructor(private readonly flags: ToolFlagsRepository) {}

  async isActive(key: string): Promise<boolean> {
    const { heardFromWeb, active } = await this.flags.state(key);
    if (!heardFromWeb) return true;
    return active === true;
  }
}
