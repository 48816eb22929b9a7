// The SMTP mailer (nodemailer) against a real SMTP server (the catcher: smtp-server +
// mailparser), with replies turned down by real SMTP codes.

import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../../src/adapters/email/smtp-mailer.js';
import type { Mailer, MailMessage } from '../../../src/ports/mailer.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../src/sandbox/index.js';
import { closedPort, externalFailure } from './support.js';

const FROM = 'Hotfix Bot <hotfix@example.com>';

let catcher: SmtpCatcher;

beforeAll(async () => {
  catcher = await startSmtpCatcher({});
});
afterAll(async () => {
  await catcher.close();
});

let counter = 0;
function message(overrides: Partial<MailMessage> = {}): MailMessage {
  counter += 1;
  return {
    to: 'qa-team@example.com',
    subject: `[HF-2026-11-00${counter}] ready for QA: Fix rounding of refunds`,
    text: 'Promote to production: https://hotfix.example.com/actions/abc\nReject: https://hotfix.example.com/actions/def\n',
    html: '<p>Promote: <a href="https://hotfix.example.com/actions/abc">promote</a> — “ready”</p>',
    messageId: `<hf-2026-11-00${counter}.qa.1.${Date.now()}@hotfix.example.com>`,
    headers: { 'X-Hotfix-Id': `HF-2026-11-00${counter}` },
    ...overrides,
  };
}

// Mailers are pooled: each test's are closed after it, so no connection outlives its test.
const opened: Mailer[] = [];
afterEach(() => {
  for (const m of opened.splice(0)) m.close?.();
});
function mailer(url = catcher.url, timeoutMs = 2_000): Mailer {
  const m = createSmtpMailer({ url, from: FROM, timeoutMs });
  opened.push(m);
  return m;
}

describe('delivery', () => {
  it('delivers a message the server can parse: addresses, subject, id, both bodies, extra headers', async () => {
    const m = message();
    await mailer().send(m);

    const caught = await catcher.waitFor((c) => c.parsed.messageId === m.messageId);
    expect(caught.envelope).toEqual({ from: 'hotfix@example.com', to: ['qa-team@example.com'] });
    expect(caught.parsed.from?.value).toEqual([{ address: 'hotfix@example.com', name: 'Hotfix Bot' }]);
    expect(caught.parsed.subject).toBe(m.subject);
    expect(caught.parsed.text).toBe(m.text);
    expect(caught.parsed.html).toContain('“ready”');
    expect(caught.parsed.headers.get('x-hotfix-id')).toBe(m.headers?.['X-Hotfix-Id']);
  });
});

describe('connections', () => {
  it('one pooled connection carries message after message', async () => {
    const one = mailer();
    const sent = [message(), message(), message()];
    for (const m of sent) await one.send(m);
    const caught = await Promise.all(sent.map((m) => catcher.waitFor((c) => c.parsed.messageId === m.messageId)));
    expect(new Set(caught.map((c) => c.connection)).size).toBe(1);
  });

  it('smtps:// speaks TLS from the first byte, with options from the URL (a self-signed test server)', async () => {
    const received: Array<{ secure: boolean; subject: string }> = [];
    // smtp-server's built-in certificate is self-signed: the URL's own option accepts it.
    const tls = new SMTPServer({
      secure: true,
      authOptional: true,
      disableReverseLookup: true,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ secure: session.secure, subject: /^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '' });
          callback();
        });
      },
    });
    // The refused handshake below is logged by a real server, which carries on; so does this one.
    tls.on('error', () => undefined);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = tls.server.address() as AddressInfo;
      await externalFailure(mailer(`smtps://127.0.0.1:${port}`).send(message()), true);
      const m = message({ subject: 'over TLS' });
      await mailer(`smtps://127.0.0.1:${port}?tls.rejectUnauthorized=false`).send(m);
      expect(received).toEqual([{ secure: true, subject: 'over TLS' }]);
    } finally {
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });

  it('a server that accepts the connection but never greets fails the send at our timeout, as transient', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = silent.address() as AddressInfo;
      // nodemailer's own greeting timeout is 30 s: this test's 10 s only passes if ours is used.
      const err = await externalFailure(mailer(`smtp://127.0.0.1:${port}`, 300).send(message()), true);
      expect(err.message).toContain('cannot deliver');
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 10_000);
});

describe('failures', () => {
  it('421 (service not available) is transient', async () => {
    catcher.failNext({ code: 421 });
    const err = await externalFailure(mailer().send(message()), true);
    expect(err.message).toContain('421');
  });

  it('450 / 451 at RCPT are transient', async () => {
    catcher.failNext({ code: 450, stage: 'rcpt' });
    await externalFailure(mailer().send(message()), true);
    catcher.failNext({ code: 451, stage: 'data' });
    await externalFailure(mailer().send(message()), true);
  });

  it('550 and 553 are permanent', async () => {
    catcher.failNext({ code: 550 });
    const err = await externalFailure(mailer().send(message()), false);
    expect(err.message).toContain('550');
    catcher.failNext({ code: 553, stage: 'rcpt' });
    await externalFailure(mailer().send(message()), false);
  });

  it('a refused connection is transient, whether reset by the server or nothing listening', async () => {
    catcher.failNext({ code: 'refuse' });
    await externalFailure(mailer().send(message()), true);
    await externalFailure(mailer(`smtp://127.0.0.1:${await closedPort()}`).send(message()), true);
  });

  it('a message turned down is not delivered, and the next one goes through', async () => {
    const before = catcher.messages.length;
    catcher.failNext({ code: 550 });
    await externalFailure(mailer().send(message()), false);
    expect(catcher.messages.length).toBe(before);

    const m = message();
    await mailer().send(m);
    await catcher.waitFor((c) => c.parsed.messageId === m.messageId);
  });

  it('wrong credentials are permanent', async () => {
    const guarded = await startSmtpCatcher({ auth: { user: 'hotfix', pass: 'right-password' } });
    try {
      await externalFailure(mailer(`smtp://hotfix:wrong-password@127.0.0.1:${guarded.port}`).send(message()), false);
      const m = message();
      await mailer(`smtp://hotfix:right-password@127.0.0.1:${guarded.port}`).send(m);
      await guarded.waitFor((c) => c.parsed.messageId === m.messageId);
    } finally {
      await guarded.close();
    }
  });
});
