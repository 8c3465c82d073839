import { createServer, type Server, type Socket } from 'node:net';

import { waitFor } from '@nafs/database/testing';
import type { RunningTestService } from '@nafs/runtime/testing';

import { connect, insertUser } from '../../test/support/db';
import { api, startAuth } from '../../test/support/http';

/** The smallest SMTP server nodemailer will talk to: no TLS, no auth, every message kept. */
function fakeSmtp(messages: string[]): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    let buffer = '';
    let inData = false;
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const line = buffer.indexOf('\r\n');
        if (line < 0) return;
        const command = buffer.slice(0, line).toUpperCase();
        buffer = buffer.slice(line + 2);
        if (command.startsWith('EHLO')) socket.write('250-fake\r\n250 8BITMIME\r\n');
        else if (command.startsWith('DATA')) {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (command.startsWith('QUIT')) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })),
  );
}

describe('mail over SMTP when SMTP_HOST is set', () => {
  const messages: string[] = [];
  let smtp: { server: Server; port: number };
  let auth: RunningTestService;

  beforeAll(async () => {
    smtp = await fakeSmtp(messages);
    auth = await startAuth({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      MAIL_FROM: 'accounts@example.com',
      FRONTEND_URL: 'https://app.example.com',
    });
  });
  afterAll(async () => {
    await auth?.close();
    smtp?.server.close();
  });

  it('sends the password-reset mail with the frontend link through the SMTP server', async () => {
    const db = await connect(auth.database.url);
    const user = await insertUser(db);
    await db.end();
    expect((await api(auth.url, 'POST', '/api/v1/auth/password-reset-request', { body: { email: user.email } })).status).toBe(200);
    // The mail is sent after the answer (issue 17.8: equal timing for known and unknown addresses).
    await waitFor(async () => messages.length > 0, 10_000, 'the reset mail');
    expect(messages).toHaveLength(1);
    const message = messages[0].replace(/=\r\n/g, '');
    expect(message).toContain('From: accounts@example.com');
    expect(message).toContain(`To: ${user.email}`);
    expect(message).toMatch(/https:\/\/app\.example\.com\/auth\/password-reset-confirm\/[0-9a-f]{64}/);
  });
});
