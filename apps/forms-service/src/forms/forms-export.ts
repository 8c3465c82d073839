import { once } from 'node:events';
import type { Duplex, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';

import { maskIp } from './dto/form-response.dto';
import { FormsRepository, type SubmissionExportFilter } from './forms.repository';

// Small batches: fewer rows alive when the young generation is scavenged, so less is promoted.
const BATCH = 100;
const pad = (value: number) => String(value).padStart(2, '0');

/** `M/D/YYYY, h:mm:ss AM` in UTC: the legacy en-US rendering, spelled out so it does not depend on the ICU version. */
export function formatSubmittedAt(date: Date | null): string {
  if (!date) return '';
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}, ${hour12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Resolves when `stream` takes writes again; rejects once it is closed (the client went away). */
async function room(stream: Duplex): Promise<void> {
  if (stream.destroyed) throw new Error('The export stream is closed');
  const cancel = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: cancel.signal }),
      once(stream, 'close', { signal: cancel.signal }).then(() => {
        throw new Error('The export stream is closed');
      }),
    ]);
  } finally {
    cancel.abort();
  }
}

/**
 * F12's body: a UTF-8 BOM, then `Submitted At`, `Submitter IP` (masked) and the chosen columns,
 * rows fetched BATCH at a time from a cursor and written through csv-stringify piped into `out`:
 * the next batch is fetched only once the writer has room (csv-stringify's buffer fills when the
 * response's does), so memory stays flat whatever the number of submissions. A client that goes
 * away destroys the pipeline, which ends the loop and releases the cursor.
 */
@Injectable()
export class FormsExport {
  constructor(private readonly forms: FormsRepository) {}

  async write(out: Writable, filter: SubmissionExportFilter, columns: string[]): Promise<void> {
    const csv = stringify({ bom: true });
    const sent = pipeline(csv, out);
    // Awaited below; handled now so a client gone mid-fetch is not an unhandled rejection.
    sent.catch(() => undefined);
    try {
      csv.write(['Submitted At', 'Submitter IP', ...columns]);
      await this.forms.streamExport(filter, columns, BATCH, async (rows) => {
        if (csv.destroyed) throw new Error('The export stream is closed');
        for (const row of rows) {
          // The row array itself becomes the CSV record: no second array per row.
          const record = row as unknown as string[];
          record[0] = formatSubmittedAt(row[0]);
          record[1] = maskIp(row[1]) ?? '';
          for (let i = 2; i < record.length; i++) record[i] ??= '';
          if (!csv.write(record)) await room(csv);
        }
      });
      csv.end();
    } catch (error) {
      csv.destroy(error as Error);
      throw error;
    }
    await sent;
  }
}
