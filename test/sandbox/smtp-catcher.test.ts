// The SMTP catcher driven by nodemailer, as the mailer adapter will.
import { connect } from 'node:net';
import { createTransport, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCatcher, type SmtpCatcher } from '../../src/sandbox/smtp/index.js';
import { field, rejectionOf } from './support.js';

let catcher: SmtpCatcher;
let mailer: Transporter;

const qaMail = (subject: string): Parameters<Transporter['sendMail']>[0] => ({
  from: 'Hotfix Bot <hotfix@example.com>',
  to: ['qa-team@example.com', 'lead@example.com'],
  subject,
  text: 'QA is up: https://qa-hf-2026-11-001.example.com',
  html: '<p>QA is up: <a href="https://qa-hf-2026-11-001.example.com">open</a></p>',
});

beforeAll(async () => {
  catcher = await startSmtpCatcher();
  mailer = createTransport(`${catcher.url}`);
});
afterAll(async () => {
  mailer.close();
  await catcher.close();
});

describe('SMTP catcher with nodemailer', () => {
  it('accepts and parses a message with text and html parts', async () => {
    const info = await mailer.sendMail(qaMail('[HF-2026-11-001] ready for QA'));
    expect(info.accepted).toEqual(['qa-team@example.com', 'lead@example.com']);
    const mail = await catcher.waitFor((m) => m.parsed.subject?.includes('HF-2026-11-001') ?? false, 1_000);
    expect(mail.envelope).toEqual({ from: 'hotfix@example.com', to: ['qa-team@example.com', 'lead@example.com'] });
    expect(mail.parsed.text?.trim()).toBe('QA is up: https://qa-hf-2026-11-001.example.com');
    expect(mail.parsed.html).toContain('<a href="https://qa-hf-2026-11-001.example.com">');
    expect(mail.raw).toContain('Subject: [HF-2026-11-001] ready for QA');
  });

  it('turns a transaction down with 421 at MAIL FROM', async () => {
    catcher.failNext({ code: 421 });
    const err = await rejectionOf(mailer.sendMail(qaMail('refused 421')));
    expect([field(err, 'responseCode'), field(err, 'code'), field(err, 'command')]).toEqual([421, 'EENVELOPE', 'MAIL FROM']);
    expect(catcher.messages.some((m) => m.parsed.subject === 'refused 421')).toBe(false);
    // The fault is spent: the next message goes through.
    await mailer.sendMail(qaMail('after 421'));
    expect(catcher.messages.at(-1)?.parsed.subject).toBe('after 421');
  });

  it('turns a message down with 550 at DATA and 450 at RCPT', async () => {
    catcher.failNext({ code: 550, stage: 'data' });
    const permanent = await rejectionOf(mailer.sendMail(qaMail('refused 550')));
    expect([field(permanent, 'responseCode'), field(permanent, 'code')]).toEqual([550, 'EMESSAGE']);

    catcher.failNext({ code: 450, stage: 'rcpt' });
    const transient = await rejectionOf(mailer.sendMail(qaMail('refused 450')));
    expect([field(transient, 'responseCode'), field(transient, 'code')]).toEqual([450, 'EENVELOPE']);
    expect(catcher.attempts.slice(-2).map((a) => [a.stage, a.outcome])).toEqual([['data', 550], ['rcpt', 450]]);
  });

  it('refuses a connection outright', async () => {
    catcher.failNext({ code: 'refuse' });
    const err = await rejectionOf(mailer.sendMail(qaMail('refused connection')));
    expect(field(err, 'code')).toBe('ESOCKET');
    expect(catcher.attempts.at(-1)?.outcome).toBe('refused');
  });

  it('closes the connection after a 421 at RCPT, which nodemailer reports as a dropped connection', async () => {
    catcher.failNext({ code: 421, stage: 'rcpt' });
    const err = await rejectionOf(mailer.sendMail(qaMail('refused 421 at rcpt')));
    expect([field(err, 'code'), field(err, 'responseCode')]).toEqual(['ECONNECTION', undefined]);
  });

  it('outlives a client that dies mid-session (a killed process resets its connection)', async () => {
    const socket = connect(catcher.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    for (const line of ['EHLO dying.example.com', 'MAIL FROM:<hotfix@example.com>', 'RCPT TO:<qa@example.com>', 'DATA']) {
      socket.write(`${line}\r\n`);
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    }
    socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 100));
    await mailer.sendMail(qaMail('after a reset'));
    expect(catcher.messages.some((m) => m.parsed.subject === 'after a reset')).toBe(true);
    expect(catcher.attempts.some((a) => a.outcome === 'dropped')).toBe(true);
  });

  it('requires the configured credentials when auth is on', async () => {
    const guarded = await startSmtpCatcher({ auth: { user: 'mailer', pass: 's3cret' } });
    try {
      const ok = createTransport(`smtp://mailer:s3cret@127.0.0.1:${guarded.port}`);
      await ok.sendMail(qaMail('authenticated'));
      expect(guarded.messages.map((m) => m.parsed.subject)).toEqual(['authenticated']);
      const bad = createTransport(`smtp://mailer:wrong@127.0.0.1:${guarded.port}`);
      expect(field(await rejectionOf(bad.sendMail(qaMail('x'))), 'responseCode')).toBe(535);
      const anonymous = createTransport(guarded.url);
      expect(field(await rejectionOf(anonymous.sendMail(qaMail('x'))), 'responseCode')).toBe(530);
    } finally {
      await guarded.close();
    }
  });
});
