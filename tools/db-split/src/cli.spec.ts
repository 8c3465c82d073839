import { runCli } from './cli';
import { ExitCode } from './lib/errors';
import type { Output } from './lib/output';

function capture(): Output & { text: () => string } {
  let text = '';
  return { line: (s) => (text += `${s}\n`), warn: (s) => (text += `${s}\n`), progressStream: process.stderr, text: () => text };
}

// Usage errors never touch a database and exit 2; help exits 0.
describe('db-split command line', () => {
  it.each([
    [['plan'], "required option '--source <url>' not specified"],
    [['copy', '--source', 'mysql://x/y'], '--source must be a postgres:// URL'],
    [['copy', '--source', 'postgres://u@h/db', '--jobs', '0'], '--jobs <n>'],
    [['verify', '--source', 'postgres://u@h/db', '--chunk-rows', 'many'], '--chunk-rows <n>'],
    [['copy', '--source', 'postgres://u@h/db', '--progress', 'fancy'], 'Allowed choices are auto, bar, lines, none'],
    [['cutover-guard', '--source', 'postgres://u@h/db', 'maybe'], 'Allowed choices are on, off, status'],
    [['rollback'], "required option '--target-monolith <url>' not specified"],
    [['explode'], "unknown command 'explode'"],
    [['sync', 'start'], "required option '--source <url>' not specified"],
    [['cutover'], "required option '--source <url>' not specified"],
    [['fallback', 'start'], "required option '--target-monolith <url>' not specified"],
    [['sync', 'status', '--interval', '0'], '--interval <seconds>'],
    [['verify'], 'verify needs --source, --target-monolith, or both'],
  ])('%j exits 2 with a message', async (argv, message) => {
    const out = capture();
    expect(await runCli(argv, {}, out)).toBe(ExitCode.USAGE);
    expect(out.text()).toContain(message);
  });

  it('prints help for every command and exits 0', async () => {
    const out = capture();
    expect(await runCli(['--help'], {}, out)).toBe(ExitCode.OK);
    for (const command of ['plan', 'create', 'schema', 'copy', 'verify', 'rollback', 'cutover-guard', 'sync', 'cutover', 'fallback'])
      expect(out.text()).toContain(command);
    const copy = capture();
    expect(await runCli(['copy', '--help'], {}, copy)).toBe(ExitCode.OK);
    for (const option of ['--jobs', '--truncate', '--dry-run', '--ignore-table', '--allow-missing-column', '--progress'])
      expect(copy.text()).toContain(option);
  });

  it('reports an unreachable source with exit 5 and names it', async () => {
    const out = capture();
    expect(
      await runCli(
        ['plan', '--source', 'postgres://nobody@127.0.0.1:1/nowhere'],
        { AUTH_DB_PORT: '1', WEB_DB_PORT: '1', FORMS_DB_PORT: '1' },
        out,
      ),
    ).toBe(ExitCode.UNREACHABLE);
    expect(out.text()).toMatch(/error: source \(nobody@127\.0\.0\.1:1\/nowhere\): cannot connect \(ECONNREFUSED/);
  });

  it('refuses a service role that is the admin login (create)', async () => {
    const out = capture();
    expect(await runCli(['create', '--dry-run'], { AUTH_DB_USER: 'postgres', WEB_DB_USER: 'w', FORMS_DB_USER: 'f' }, out)).toBe(
      ExitCode.USAGE,
    );
    expect(out.text()).toContain('the service role postgres is the admin login');
  });

  it('refuses two services sharing a role', async () => {
    const out = capture();
    expect(await runCli(['create', '--dry-run'], { WEB_DB_USER: 'app', FORMS_DB_USER: 'app' }, out)).toBe(ExitCode.USAGE);
    expect(out.text()).toContain('would share the role app');
  });
});
