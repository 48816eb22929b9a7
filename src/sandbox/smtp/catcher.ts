/**
 * startSmtpCatcher: an SMTP server that accepts mail on 127.0.0.1 without TLS, parses every
 * message and keeps it for assertions, and can turn transactions down with real SMTP codes.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerError, type SMTPServerSession } from 'smtp-server';
import { RecordLog } from '../shared/record-log.js';
import { safeEqual } from '../shared/request.js';

export interface SmtpCatcherOptions {
  /** Listen port; 0 (default) picks a free one. */
  port?: number;
  /** When given, clients must AUTH (PLAIN or LOGIN) with these credentials before MAIL FROM. */
  auth?: { user: string; pass: string };
}

export interface CaughtMail {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
  raw: string;
  /** `performance.now()` when the message was accepted. */
  at: number;
  /** The SMTP connection it came on: messages sent over one pooled connection share it. */
  connection: string;
}

export type SmtpStage = 'connect' | 'mail' | 'rcpt' | 'data';

export interface SmtpFault {
  count?: number;
  /** A reply code for the transaction, or `'refuse'`: reset the connection before the greeting. */
  code: 421 | 450 | 451 | 550 | 553 | 'refuse';
  /**
   * Which command gets the code; default `'mail'` (MAIL FROM), once per transaction. At `'rcpt'`
   * every recipient of the transaction gets it. After a 421 smtp-server closes the connection,
   * as RFC 5321 says, so a client with more commands to send sees a dropped connection instead.
   */
  stage?: SmtpStage;
}

/** One delivery attempt: a refused connection, a transaction turned down, an accepted message, or a client gone mid-transaction. */
export interface SmtpAttempt {
  stage: SmtpStage;
  outcome: 'accepted' | 'refused' | 'dropped' | number;
  at: number;
}

export interface SmtpCatcher {
  /** `smtp://127.0.0.1:<port>`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly messages: readonly CaughtMail[];
  readonly attempts: readonly SmtpAttempt[];
  waitFor(predicate: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  failNext(fault: SmtpFault): void;
  /**
   * Drops the faults not used yet and says how many there were: how many connections a pooled
   * client opens, and so how many `refuse` faults it meets, is the client's business.
   */
  clearFaults(): number;
  /** Ends every open session, as a mail server restarting does: pooled clients must connect again. */
  dropConnections(): void;
  /**
   * Hold back the answer to the next message's DATA (a slow mail server) until `release` is
   * called; the message is accepted then. `held` resolves once a message is being held.
   */
  holdNext(): { held: Promise<void>; release(): void };
  close(): Promise<void>;
}

const REPLY_TEXT: Record<number, string> = {
  421: 'Service not available, closing transmission channel',
  450: 'Mailbox unavailable, try again later',
  451: 'Local error in processing, try again later',
  550: 'Mailbox unavailable',
  553: 'Mailbox name not allowed',
};

export async function startSmtpCatcher(opts: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
  const messages = new RecordLog<CaughtMail>();
  const attempts = new RecordLog<SmtpAttempt>();
  let pending: Array<{ fault: SmtpFault; remaining: number }> = [];
  // A transaction turned down at RCPT stays turned down for its other recipients.
  const failedTransactions = new Map<string, number>();
  const holds: Array<{ arrived: () => void; gate: Promise<void> }> = [];

  function takeFault(stage: SmtpStage, refuse = false): SmtpFault | undefined {
    const entry = pending.find((p) => (p.fault.code === 'refuse') === refuse && (refuse || (p.fault.stage ?? 'mail') === stage));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) pending = pending.filter((p) => p !== entry);
    return entry.fault;
  }

  function faultAt(stage: SmtpStage, session: SMTPServerSession): SMTPServerError | undefined {
    const key = `${session.id}/${session.transaction}`;
    const code = (stage === 'rcpt' ? failedTransactions.get(key) : undefined) ?? numericCode(takeFault(stage));
    if (code === undefined) return undefined;
    if (stage === 'rcpt' && !failedTransactions.has(key)) {
      failedTransactions.set(key, code);
      attempts.push({ stage, outcome: code, at: performance.now() });
    } else if (stage !== 'rcpt') {
      attempts.push({ stage, outcome: code, at: performance.now() });
    }
    return Object.assign(new Error(`${REPLY_TEXT[code] ?? 'Rejected'} (injected)`), { responseCode: code });
  }

  const smtp = new SMTPServer({
    secure: false,
    // No STARTTLS: nodemailer would upgrade to it and then reject the built-in certificate.
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const { user, pass } = opts.auth ?? { user: '', pass: '' };
      if (safeEqual(auth.username ?? '', user) && safeEqual(auth.password ?? '', pass)) callback(null, { user });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onConnect: (session, callback) => callback(faultAt('connect', session)),
    onMailFrom: (_address, session, callback) => callback(faultAt('mail', session)),
    onRcptTo: (_address, session, callback) => callback(faultAt('rcpt', session)),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const fault = faultAt('data', session);
        if (fault) return callback(fault);
        const hold = holds.shift();
        if (hold) {
          hold.arrived();
          await hold.gate;
        }
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        simpleParser(raw).then(
          (parsed) => {
            attempts.push({ stage: 'data', outcome: 'accepted', at: performance.now() });
            messages.push({ envelope, parsed, raw: raw.toString('utf8'), at: performance.now(), connection: session.id });
            callback();
          },
          (err: unknown) => callback(Object.assign(new Error(`Message could not be parsed: ${String(err)}`), { responseCode: 554 })),
        );
      });
    },
  });

  // smtp-server emits a client's reset after MAIL FROM (a killed sender) as a server error; a
  // real server logs it and carries on, and so does this one (it is not delivered).
  smtp.on('error', () => attempts.push({ stage: 'data', outcome: 'dropped', at: performance.now() }));

  // Our own listener in front of smtp-server, so a connection can be refused before SMTP begins.
  const front: Server = createServer((socket) => {
    if (takeFault('connect', true)) {
      attempts.push({ stage: 'connect', outcome: 'refused', at: performance.now() });
      // RST rather than FIN: the client fails at once, as with a refused connection.
      socket.resetAndDestroy();
      return;
    }
    smtp.connect(socket);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port ?? 0, '127.0.0.1', () => {
      front.off('error', reject);
      resolve();
    });
  });
  const { port } = front.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    get messages() {
      return messages.items;
    },
    get attempts() {
      return attempts.items;
    },
    waitFor(predicate, timeoutMs = 5_000) {
      return messages.waitFor(predicate, timeoutMs, 'a matching email');
    },
    holdNext() {
      let release = (): void => undefined;
      let arrived = (): void => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const held = new Promise<void>((r) => (arrived = r));
      holds.push({ arrived, gate });
      return { held, release };
    },
    dropConnections() {
      for (const connection of smtp.connections) connection.close();
    },
    clearFaults() {
      const left = pending.reduce((n, p) => n + p.remaining, 0);
      pending = [];
      return left;
    },
    failNext(fault) {
      const count = fault.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be a positive integer, got ${count}`);
      pending.push({ fault, remaining: count });
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => front.close(() => resolve()));
        // Pooled clients may still hold a session open; end them instead of waiting for them.
        for (const connection of smtp.connections) connection.close();
        await new Promise<void>((resolve) => smtp.close(() => resolve()));
        await stopped;
      })();
      return closing;
    },
  };
}

function numericCode(fault: SmtpFault | undefined): number | undefined {
  return fault && fault.code !== 'refuse' ? fault.code : undefined;
}
