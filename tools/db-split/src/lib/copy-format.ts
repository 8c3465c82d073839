/**
 * Row counting over a COPY stream, for progress: in text format every row ends with a newline
 * (newlines inside values are escaped), in binary format rows are framed by a field count and
 * length-prefixed fields, which a small state machine follows across chunk boundaries.
 */
export interface RowCounter {
  feed(chunk: Buffer): void;
  readonly rows: number;
}

export function textRowCounter(): RowCounter {
  let rows = 0;
  return {
    feed(chunk) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    },
    get rows() {
      return rows;
    },
  };
}

/** PGCOPY\n\377\r\n\0, int32 flags, int32 header-extension length. */
const BINARY_HEADER_BYTES = 19;

export function binaryRowCounter(): RowCounter {
  let rows = 0;
  let phase: 'header' | 'extension' | 'count' | 'length' | 'field' | 'done' = 'header';
  let need = BINARY_HEADER_BYTES;
  const acc = Buffer.alloc(BINARY_HEADER_BYTES);
  let accLength = 0;
  let skip = 0;
  let fieldsLeft = 0;

  const nextField = () => {
    if (fieldsLeft > 0) [phase, need] = ['length', 4];
    else [phase, need] = ['count', 2];
  };
  const collected = () => {
    if (phase === 'header') {
      skip = acc.readInt32BE(15);
      if (skip > 0) phase = 'extension';
      else [phase, need] = ['count', 2];
    } else if (phase === 'count') {
      const fields = acc.readInt16BE(0);
      if (fields === -1) {
        phase = 'done';
        return;
      }
      rows++;
      fieldsLeft = fields;
      nextField();
    } else if (phase === 'length') {
      const length = acc.readInt32BE(0);
      fieldsLeft--;
      if (length > 0) [phase, skip] = ['field', length];
      else nextField();
    }
  };

  return {
    feed(chunk) {
      let i = 0;
      while (i < chunk.length && phase !== 'done') {
        if (phase === 'extension' || phase === 'field') {
          const n = Math.min(skip, chunk.length - i);
          i += n;
          skip -= n;
          if (skip === 0) {
            if (phase === 'extension') [phase, need] = ['count', 2];
            else nextField();
          }
          continue;
        }
        const n = Math.min(need - accLength, chunk.length - i);
        chunk.copy(acc, accLength, i, i + n);
        accLength += n;
        i += n;
        if (accLength < need) break;
        accLength = 0;
        collected();
      }
    },
    get rows() {
      return rows;
    },
  };
}
