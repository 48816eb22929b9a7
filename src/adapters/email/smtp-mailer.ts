// Mailer over SMTP with nodemailer. nodemailer does not retry: failures are classified here
// (4xx and connection problems transient, 5xx permanent) and the job queue retries.

import nodemailer from 'nodemailer';
import { ExternalServiceError } from '../../domain/errors.js';
import type { Mailer } from '../../ports/mailer.js';

interface SmtpFailure {
  responseCode?: number;
  code?: string;
  message?: string;
}

export function smtpError(err: unknown): ExternalServiceError {
  const e = (err ?? {}) as SmtpFailure;
  if (typeof e.responseCode === 'number') {
    const transient = e.responseCode >= 400 && e.responseCode < 500;
    return new ExternalServiceError('smtp', `server answered ${e.responseCode}`, transient, { cause: err });
  }
  // EAUTH is the only connection-level failure a retry will not fix.
  const code = typeof e.code === 'string' ? e.code : 'ECONNECTION';
  return new ExternalServiceError('smtp', `cannot deliver: ${code}`, code !== 'EAUTH', { cause: err });
}

export function createSmtpMailer(settings: { url: string; from: string; timeoutMs?: number; maxConnections?: number }): Mailer {
  const timeout = settings.timeoutMs ?? 30_000;
  // Pooled: a new connection (TCP, greeting, EHLO, maybe TLS and AUTH) per message was most of
  // a send. A pooled connection the server has closed meanwhile fails its send as ECONNECTION,
  // which the job queue retries on a fresh one.
  const transport = nodemailer.createTransport({
    url: settings.url,
    pool: true,
    maxConnections: settings.maxConnections ?? 5,
    maxMessages: 100,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    close() {
      transport.close();
    },
    async send(message) {
      try {
        await transport.sendMail({
          from: settings.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          headers: message.headers ?? {},
        });
      } catch (err) {
        throw smtpError(err);
      }
    },
  };
}
