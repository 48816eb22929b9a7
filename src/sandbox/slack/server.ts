/**
 * startSlackSim: a local Slack Web API for `chat.postMessage`, usable as
 * `new WebClient(token, { slackApiUrl: sim.url })`. Like Slack, it answers errors with HTTP 200
 * and `{ok: false, error}`; only rate limits (429) and outages (5xx) use HTTP status codes.
 */
import type { IncomingMessage } from 'node:http';
import { FaultInjector, type FaultSpec } from '../shared/faults.js';
import { sendJson, startHttpServer, type RequestRecord } from '../shared/http.js';
import { RecordLog } from '../shared/record-log.js';
import { authorizationToken, readFields, safeEqual, stringField, type Fields } from '../shared/request.js';

export interface SlackSimOptions {
  port?: number;
  /** The bot token accepted as `Authorization: Bearer <token>` (or a `token` field). */
  token: string;
  /** Channel names, with or without `#`; each gets an id `C…` in this order. */
  channels: string[];
}

export interface SlackMessageRecord {
  /** The channel id the message landed in. */
  channel: string;
  channelName: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  thread_ts: string | undefined;
  ts: string;
  /** Slack message metadata (`{event_type, event_payload}`), as posted. */
  metadata: unknown;
  at: number;
}

export interface SlackFault {
  count?: number;
  mode: 429 | 500;
  /** `Retry-After` of a 429, in seconds; default 1. */
  retryAfterSeconds?: number;
  match?: FaultSpec['match'];
}

export interface SlackSim {
  /** Base URL ending in `/api/`, as `WebClient`'s `slackApiUrl` expects. */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RequestRecord[];
  readonly messages: readonly SlackMessageRecord[];
  /** The `C…` id of a configured channel (name with or without `#`). */
  channelId(name: string): string;
  waitForMessage(predicate: (m: SlackMessageRecord) => boolean, timeoutMs?: number): Promise<SlackMessageRecord>;
  failNext(fault: SlackFault): void;
  close(): Promise<void>;
}

interface Channel {
  id: string;
  name: string;
}

type SlackAnswer = ({ ok: true } & Record<string, unknown>) | { ok: false; error: string };

export async function startSlackSim(opts: SlackSimOptions): Promise<SlackSim> {
  const channels: Channel[] = opts.channels.map((name, i) => ({ id: `C${String(i + 1).padStart(8, '0')}`, name: name.replace(/^#/, '') }));
  const findChannel = (ref: string): Channel | undefined => channels.find((c) => c.id === ref || c.name === ref.replace(/^#/, ''));
  const messages = new RecordLog<SlackMessageRecord>();
  const faults = new FaultInjector();
  const requests = new RecordLog<RequestRecord>();
  // Slack's ts is "<epoch seconds>.<micro>"; a counter in the fraction keeps every ts unique.
  let sequence = 0;
  const nextTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;

  function postMessage(fields: Fields): SlackAnswer {
    const channel = findChannel(stringField(fields, 'channel') ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const text = stringField(fields, 'text');
    const blocks = parseBlocks(fields.blocks);
    if (blocks === 'invalid') return { ok: false, error: 'invalid_blocks' };
    if (text === undefined && blocks === undefined) return { ok: false, error: 'no_text' };
    const threadTs = stringField(fields, 'thread_ts');
    if (threadTs !== undefined && !messages.items.some((m) => m.channel === channel.id && m.ts === threadTs)) {
      return { ok: false, error: 'thread_not_found' };
    }
    const metadata = parseJson(fields.metadata);
    if (metadata === 'invalid') return { ok: false, error: 'invalid_metadata_format' };
    const ts = nextTs();
    const record: SlackMessageRecord = { channel: channel.id, channelName: channel.name, text, blocks, thread_ts: threadTs, ts, metadata, at: performance.now() };
    messages.push(record);
    return { ok: true, channel: channel.id, ts, message: render(record, false) };
  }

  function render(m: SlackMessageRecord, withMetadata: boolean): object {
    return {
      type: 'message', user: 'U0HOTFIXBOT', bot_id: 'B0HOTFIXBOT', text: m.text ?? '', ts: m.ts,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
    };
  }

  /** conversations.history: a channel's top-level messages, newest first. */
  function history(fields: Fields): SlackAnswer {
    const channel = findChannel(stringField(fields, 'channel') ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const limit = Number(stringField(fields, 'limit') ?? 100);
    const withMetadata = stringField(fields, 'include_all_metadata') === 'true';
    const top = messages.items.filter((m) => m.channel === channel.id && m.thread_ts === undefined).reverse().slice(0, limit);
    return { ok: true, messages: top.map((m) => render(m, withMetadata)), has_more: false };
  }

  /** conversations.replies: a thread's parent and replies, oldest first. */
  function replies(fields: Fields): SlackAnswer {
    const channel = findChannel(stringField(fields, 'channel') ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const ts = stringField(fields, 'ts');
    const parent = messages.items.find((m) => m.channel === channel.id && m.ts === ts);
    if (!parent) return { ok: false, error: 'thread_not_found' };
    const withMetadata = stringField(fields, 'include_all_metadata') === 'true';
    const thread = [parent, ...messages.items.filter((m) => m.channel === channel.id && m.thread_ts === ts)];
    return { ok: true, messages: thread.map((m) => render(m, withMetadata)), has_more: false };
  }

  async function answer(req: IncomingMessage, method: string): Promise<SlackAnswer> {
    const body = await readFields(req);
    if (!body.ok) return { ok: false, error: 'invalid_form_data' };
    const token = authorizationToken(req) ?? stringField(body.fields, 'token');
    if (token === undefined) return { ok: false, error: 'not_authed' };
    if (!safeEqual(token, opts.token)) return { ok: false, error: 'invalid_auth' };
    if (method === 'chat.postMessage') return postMessage(body.fields);
    if (method === 'conversations.history') return history(body.fields);
    if (method === 'conversations.replies') return replies(body.fields);
    if (method === 'auth.test') return { ok: true, url: 'https://sandbox.slack.test/', team: 'Sandbox', user: 'hotfix-bot', team_id: 'T0SANDBOX', user_id: 'U0HOTFIXBOT', bot_id: 'B0HOTFIXBOT' };
    return { ok: false, error: 'unknown_method' };
  }

  const http = await startHttpServer({
    port: opts.port,
    faults,
    requests,
    faultBody: (status) => (status === 429 ? { ok: false, error: 'ratelimited' } : { ok: false, error: 'fatal_error' }),
    handler: async (req, res, url) => {
      const method = /^\/api\/([\w.]+)$/.exec(url.pathname)?.[1];
      if (!method) return sendJson(res, 404, { ok: false, error: 'unknown_method' });
      if (req.method !== 'POST' && req.method !== 'GET') return sendJson(res, 405, { ok: false, error: 'method_not_supported' });
      sendJson(res, 200, await answer(req, method));
    },
  });

  return {
    url: `${http.url}/api/`,
    port: http.port,
    get requests() {
      return requests.items;
    },
    get messages() {
      return messages.items;
    },
    channelId(name) {
      const channel = findChannel(name);
      if (!channel) throw new Error(`channel ${name} is not configured`);
      return channel.id;
    },
    waitForMessage(predicate, timeoutMs = 5_000) {
      return messages.waitFor(predicate, timeoutMs, 'a matching Slack message');
    },
    failNext(fault) {
      faults.add({ ...fault, ...(fault.mode === 429 ? { retryAfterSeconds: fault.retryAfterSeconds ?? 1 } : {}) });
    },
    close: () => http.close(),
  };
}

/** An object field that arrives as a JSON string in a form body (WebClient) or as-is in JSON. */
function parseJson(value: unknown): unknown {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return 'invalid';
  }
}

/** Blocks arrive as an array (JSON body) or as a JSON string (form body, which WebClient sends). */
function parseBlocks(value: unknown): unknown[] | undefined | 'invalid' {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'invalid';
    }
  }
  return Array.isArray(parsed) ? parsed : 'invalid';
}
