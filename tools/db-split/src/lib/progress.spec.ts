import { Writable } from 'node:stream';

import { createProgress } from './progress';

function fakeStream(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk;
      callback();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, {
    isTTY,
    columns: 120,
    rows: 40,
    text: () => text,
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
  });
  return stream;
}

describe('progress display', () => {
  it('draws a bar per table on a terminal (cli-progress)', () => {
    const stream = fakeStream(true);
    const progress = createProgress('copy', 'auto', stream);
    progress.start('users', 100);
    progress.update('users', 50, 2048);
    progress.finish('users', '100 rows, 4.0 kB in 0.10 s');
    progress.stop();
    expect(stream.text()).toMatch(/copy users\s+\|[█░]+\| 100% 100\/100 rows 2\.0 kB 100 rows, 4\.0 kB in 0\.10 s/);
  });

  it('writes plain lines elsewhere (CI logs, nx output)', () => {
    const stream = fakeStream(false);
    const progress = createProgress('verify', 'auto', stream);
    progress.start('forms', 30);
    progress.finish('forms', 'OK (30 rows, 1 chunk(s), 0.01 s)');
    progress.stop();
    expect(stream.text()).toBe('verify forms: started (30 rows)\nverify forms: OK (30 rows, 1 chunk(s), 0.01 s)\n');
  });

  it('stays silent with --progress none', () => {
    const stream = fakeStream(true);
    const progress = createProgress('copy', 'none', stream);
    progress.start('users', 1);
    progress.stop();
    expect(stream.text()).toBe('');
  });
});
