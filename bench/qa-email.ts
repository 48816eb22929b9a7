// Issue 14: a qa-up SUCCESS callback answered → the QA email accepted by the SMTP server, against
// a bare SMTP send of the same message in the same run (nodemailer, a warm pooled connection and
// a fresh one). QA is held up for a moment after its trigger, as a real environment is for
// minutes: what the email lists is looked up meanwhile, so the email waits for no git.

import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import { noDelaySocket } from '../src/adapters/email/smtp-mailer.js';
import { contractPipeline } from '../src/sandbox/index.js';
import { JOBS, SECRETS } from '../test/helpers/harness.js';
import type { Stack } from './stack.js';

export interface QaEmailTimings {
  service: number[];
  /** The same message, sent with nodemailer over one warm pooled connection. */
  bareWarm: number[];
  /** … and with Nagle's algorithm off on that connection, as the service sends. */
  bareWarmNoDelay: number[];
  /** … and over a fresh connection per message (nodemailer's default). */
  bareFresh: number[];
}

// A real environment takes minutes to come up; this is only long enough for the service to use it.
const QA_COMES_UP_MS = 150;

type Bare = 'fresh' | 'warm' | 'warm-nodelay';
async function bareSends(stack: Stack, sample: { subject: string; text: string; html: string }, count: number, mode: Bare): Promise<number[]> {
  const pool = mode !== 'fresh';
  // Not `{ url, pool }`: given `url`, nodemailer ignores every other option.
  const transport = nodemailer.createTransport({ ...parseConnectionUrl(stack.smtp.url), ...(pool ? { pool: true, maxConnections: 1 } : {}), ...(mode === 'warm-nodelay' ? { getSocket: noDelaySocket(10_000) } : {}) });
  const out: number[] = [];
  try {
    for (let i = 0; i < count + 5; i++) {
      const subject = `${sample.subject} bare-${mode}-${i}`;
      const t0 = performance.now();
      await transport.sendMail({ from: 'Hotfix Bot <hotfix@example.com>', to: 'qa-team@example.com', subject, text: sample.text, html: sample.html });
      const mail = await stack.smtp.waitFor((m) => m.parsed.subject === subject, 10_000);
      // The first sends open the connection: a warm pool is measured warm.
      if (i >= 5) out.push(mail.at - t0);
    }
  } finally {
    transport.close();
  }
  return out;
}

export async function qaUpToEmail(stack: Stack, count: number): Promise<QaEmailTimings> {
  stack.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 1 }));
  stack.jenkins.defineJob(JOBS.qaUp, 'manual');
  const service: number[] = [];
  let sample: { subject: string; text: string; html: string } | undefined;
  try {
    for (let i = 0; i < count; i++) {
      const created = await stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title: `QA email bench ${i}`, requestedBy: 'dev@example.com' });
      const id = (created.body as { id: string }).id;
      const qaUp = await stack.jenkins.waitForBuildStart((b) => b.job === JOBS.qaUp && b.params.HOTFIX_ID === id, 30_000);
      await new Promise((r) => setTimeout(r, QA_COMES_UP_MS));
      // What Jenkins' qa-up job sends when the environment is up.
      const body = JSON.stringify({ hotfixId: id, stage: 'qa-up', job: JOBS.qaUp, buildNumber: qaUp.number, status: 'SUCCESS', qaUrl: `https://${qaUp.params.QA_ENV ?? 'qa'}.example.com`, timestamp: new Date().toISOString() });
      const signature = `sha256=${createHmac('sha256', SECRETS.callbackSecret).update(body).digest('hex')}`;
      const res = await fetch(`${stack.url}/api/v1/jenkins/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hotfix-signature': signature }, body });
      const answered = performance.now();
      await res.text();
      if (res.status !== 202) throw new Error(`qa-up callback answered ${res.status}`);
      const mail = await stack.smtp.waitFor((m) => m.parsed.subject?.includes(`[${id}]`) ?? false, 10_000);
      service.push(mail.at - answered);
      sample ??= { subject: mail.parsed.subject ?? 'QA email', text: mail.parsed.text ?? '', html: typeof mail.parsed.html === 'string' ? mail.parsed.html : '' };
    }
  } finally {
    stack.jenkins.defineJob(JOBS.qaUp, contractPipeline({ durationMs: 1 }));
  }
  if (!sample) throw new Error('no QA email to compare with');
  return {
    service,
    bareWarm: await bareSends(stack, sample, count, 'warm'),
    bareWarmNoDelay: await bareSends(stack, sample, count, 'warm-nodelay'),
    bareFresh: await bareSends(stack, sample, count, 'fresh'),
  };
}
