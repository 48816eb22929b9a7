// The SMTP mailer (nodemailer) against a real SMTP server (the catcher: smtp-server +
// mailparser), with replies turned down by real SMTP codes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../../src/adapters/email/smtp-mailer.js';
import type { MailMessage } from '../../../src/ports/mailer.js';
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

const mailer = (url = catcher.url) => createSmtpMailer({ url, from: FROM, timeoutMs: 2_000 });

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
