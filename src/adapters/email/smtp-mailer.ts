// Mailer over SMTP with nodemailer. nodemailer does not retry: failures are classified here
// (4xx and connection problems transient, 5xx permanent) and the job queue retries.

import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
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

/**
 * nodemailer's `getSocket`: a connected TCP socket with Nagle's algorithm off. With it on, each
 * message's closing `.` waited for the server's delayed ACK of the body (40 ms on Linux, up to
 * 200 ms elsewhere): 44 ms of a 48 ms send on a warm connection. nodemailer still does the
 * rest on this socket (TLS for smtps://, STARTTLS, AUTH, its own timeouts).
 */
export function noDelaySocket(timeoutMs: number): NonNullable<SMTPPool.Options['getSocket']> {
  return (options, callback) => {
    const secure = options.secure === true;
    const socket = connect({ host: options.host ?? 'localhost', port: Number(options.port) || (secure ? 465 : 587), noDelay: true });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connection timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      callback(err, false);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setKeepAlive(true);
      callback(null, { connection: socket });
    });
  };
}

export function createSmtpMailer(settings: { url: string; from: string; timeoutMs?: number; maxConnections?: number }): Mailer {
  const timeout = settings.timeoutMs ?? 30_000;
  // Pooled: a new connection (TCP, greeting, EHLO, maybe TLS and AUTH) per message was most of
  // a send. A pooled connection the server has closed meanwhile fails its send as ECONNECTION,
  // which the job queue retries on a fresh one.
  // The URL is parsed here, not passed as `url`: given `url`, nodemailer reads nothing else, so
  // the pool and every timeout were silently dropped (a send took a new connection each time,
  // and a server that never greeted held a job for nodemailer's default 30 s, not ours).
  // Options in the URL's query (`?requireTLS=true`) still win: the operator wrote them.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: settings.maxConnections ?? 5,
    maxMessages: 100,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    getSocket: noDelaySocket(timeout),
    ...parseConnectionUrl(settings.url),
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
