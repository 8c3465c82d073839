import { once } from 'node:events';
import type { Writable } from 'node:stream';

import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';

import { maskIp } from './dto/form-response.dto';
import { FormsRepository, type SubmissionExportFilter } from './forms.repository';

const BATCH = 500;
const pad = (value: number) => String(value).padStart(2, '0');

/** `M/D/YYYY, h:mm:ss AM` in UTC: the legacy en-US rendering, spelled out so it does not depend on the ICU version. */
export function formatSubmittedAt(date: Date | null): string {
  if (!date) return '';
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}, ${hour12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/**
 * F12's body: a UTF-8 BOM, then `Submitted At`, `Submitter IP` (masked) and the chosen columns,
 * rows fetched 500 at a time from a cursor and written through csv-stringify with backpressure,
 * so memory stays flat whatever the number of submissions.
 */
@Injectable()
export class FormsExport {
  constructor(private readonly forms: FormsRepository) {}

  async write(out: Writable, filter: SubmissionExportFilter, columns: string[]): Promise<void> {
    const csv = stringify({ bom: true });
    csv.pipe(out);
    csv.write(['Submitted At', 'Submitter IP', ...columns]);
    const finished = once(csv, 'end');
    await this.forms.streamExport(filter, columns, BATCH, async (rows) => {
      for (const [submittedAt, ip, values] of rows) {
        if (
          !csv.write([
            formatSubmittedAt(submittedAt ? new Date(submittedAt) : null),
            maskIp(ip) ?? '',
            ...values.map((value) => value ?? ''),
          ])
        ) {
          await once(csv, 'drain');
        }
      }
      // Waits for the response itself when the client reads slower than the database answers.
      if (out.writableNeedDrain) await once(out, 'drain');
    });
    csv.end();
    await finished;
  }
}
