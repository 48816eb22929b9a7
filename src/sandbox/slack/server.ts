/**
 * startSlackSim: a local Slack Web API (`chat.postMessage`, `chat.update`, `chat.postEphemeral`,
 * `conversations.history`/`replies`, `users.info`, `views.open`, `auth.test`), usable as
 * `new WebClient(token, { slackApiUrl: sim.url })`, and Slack's side of interactivity: a click
 * on a button is a signed `block_actions` payload POSTed to the app, a modal's submit a signed
 * `view_submission`; trigger ids last 3 seconds and open one view, as in Slack. Like Slack, it answers errors with HTTP 200
 * and `{ok: false, error}`; only rate limits (429) and outages (5xx) use HTTP status codes.
 * Each token has its scopes, sent back in `x-oauth-scopes`; a method the token may not call
 * answers `missing_scope` with `needed` and `provided`, as Slack does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, type FaultSpec } from '../shared/faults.js';
import { sendJson, startHttpServer, type RequestRecord } from '../shared/http.js';
import { RecordLog } from '../shared/record-log.js';
import { authorizationToken, readFields, safeEqual, stringField, type Fields } from '../shared/request.js';
import { blockActionsPayload, findButton, postSigned, viewSubmissionPayload, type InteractivityTarget, type PostedPayload } from './interactivity.js';

export interface SlackSimOptions {
  port?: number;
  /** A bot token accepted as `Authorization: Bearer <token>` (or a `token` field), with every scope. */
  token?: string;
  /** Bot tokens with exactly these scopes. */
  tokens?: Array<{ token: string; scopes: string[] }>;
  /** Channel names, with or without `#` (or `{name, private}`); each gets an id `C…` in this order. */
  channels: Array<string | { name: string; private: boolean }>;
  /** Workspace members `users.info` knows. */
  users?: Array<{ id: string; name: string; email: string }>;
}

/** Every scope the simulator knows: what a token given as `token` has. */
export const ALL_SCOPES = ['chat:write', 'channels:history', 'groups:history', 'users:read', 'users:read.email'];

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
  /** How many times chat.update changed it. */
  updates?: number;
}

export interface SlackEphemeral {
  channel: string;
  user: string;
  text: string;
  thread_ts: string | undefined;
  at: number;
}

export interface SlackView {
  id: string;
  /** Who clicked to open it. */
  user: string;
  callback_id: string;
  private_metadata: string;
  view: Record<string, unknown>;
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
  /** Messages only one member saw (`chat.postEphemeral`). */
  readonly ephemerals: readonly SlackEphemeral[];
  waitForEphemeral(predicate: (m: SlackEphemeral) => boolean, timeoutMs?: number): Promise<SlackEphemeral>;
  /** Modals opened with `views.open`. */
  readonly views: readonly SlackView[];
  waitForView(predicate: (v: SlackView) => boolean, timeoutMs?: number): Promise<SlackView>;
  /** Where clicks go (the app's interactivity URL) and the secret they are signed with. */
  setInteractivity(target: InteractivityTarget): void;
  /** `user` clicks the button `actionId` of a message, as Slack would send it. */
  click(userId: string, message: Pick<SlackMessageRecord, 'channel' | 'ts'>, actionId: string): Promise<PostedPayload>;
  /** `user` submits a modal with these input values (`{block_id: {action_id: value}}`). */
  submitView(viewId: string, values: Record<string, Record<string, string>>): Promise<PostedPayload>;
  close(): Promise<void>;
}

interface Channel {
  id: string;
  name: string;
  private: boolean;
}

type SlackAnswer = ({ ok: true } & Record<string, unknown>) | { ok: false; error: string };

export async function startSlackSim(opts: SlackSimOptions): Promise<SlackSim> {
  const channels: Channel[] = opts.channels.map((c, i) => {
    const { name, private: priv } = typeof c === 'string' ? { name: c, private: false } : c;
    return { id: `C${String(i + 1).padStart(8, '0')}`, name: name.replace(/^#/, ''), private: priv };
  });
  const tokens = [...(opts.token ? [{ token: opts.token, scopes: ALL_SCOPES }] : []), ...(opts.tokens ?? [])];
  const users = opts.users ?? [];
  const findChannel = (ref: string): Channel | undefined => channels.find((c) => c.id === ref || c.name === ref.replace(/^#/, ''));
  const messages = new RecordLog<SlackMessageRecord>();
  const faults = new FaultInjector();
  const ephemerals = new RecordLog<SlackEphemeral>();
  const views = new RecordLog<SlackView>();
  // Each trigger id opens one view within 3 seconds of its click, as in Slack.
  const triggers = new Map<string, { user: string; at: number; used: boolean; message?: { channel: string; ts: string } }>();
  let interactivity: InteractivityTarget | null = null;
  let triggerSeq = 0;
  let viewSeq = 0;
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

  /** chat.update: replaces a message's text and blocks (only the bot's own messages). */
  function update(fields: Fields): SlackAnswer {
    const channel = findChannel(stringField(fields, 'channel') ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const message = messages.items.find((m) => m.channel === channel.id && m.ts === stringField(fields, 'ts'));
    if (!message) return { ok: false, error: 'message_not_found' };
    const blocks = parseBlocks(fields.blocks);
    if (blocks === 'invalid') return { ok: false, error: 'invalid_blocks' };
    const text = stringField(fields, 'text');
    if (text === undefined && blocks === undefined) return { ok: false, error: 'no_text' };
    message.text = text ?? message.text;
    message.blocks = blocks ?? message.blocks;
    message.updates = (message.updates ?? 0) + 1;
    return { ok: true, channel: channel.id, ts: message.ts, text: message.text ?? '' };
  }

  /** chat.postEphemeral: to one member of the channel, in a thread when given. */
  function ephemeral(fields: Fields): SlackAnswer {
    const channel = findChannel(stringField(fields, 'channel') ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const user = stringField(fields, 'user');
    if (!user || !users.some((u) => u.id === user)) return { ok: false, error: 'user_not_in_channel' };
    const text = stringField(fields, 'text');
    if (text === undefined && fields.blocks === undefined) return { ok: false, error: 'no_text' };
    ephemerals.push({ channel: channel.id, user, text: text ?? '', thread_ts: stringField(fields, 'thread_ts'), at: performance.now() });
    return { ok: true, message_ts: nextTs() };
  }

  /** views.open: a modal for a trigger id that is fresh and unused. */
  function openView(fields: Fields): SlackAnswer {
    const id = stringField(fields, 'trigger_id');
    const trigger = id ? triggers.get(id) : undefined;
    if (!id || !trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used || performance.now() - trigger.at > 3000) return { ok: false, error: 'expired_trigger_id' };
    const view = parseJson(fields.view);
    if (!view || view === 'invalid' || typeof view !== 'object') return { ok: false, error: 'invalid_arguments' };
    const v = view as Record<string, unknown>;
    if (v.type !== 'modal' || !Array.isArray(v.blocks)) return { ok: false, error: 'invalid_arguments' };
    trigger.used = true;
    const record: SlackView = { id: `V${String(++viewSeq).padStart(8, '0')}`, user: trigger.user, callback_id: String(v.callback_id ?? ''), private_metadata: String(v.private_metadata ?? ''), view: v };
    views.push(record);
    return { ok: true, view: { id: record.id, ...v } };
  }

  /**
   * A click's response_url: JSON `{text, response_type?, replace_original?}`; an ephemeral answer
   * to the clicker by default, or the clicked message replaced. Slack answers `ok` as text.
   */
  async function respond(req: IncomingMessage, res: ServerResponse, triggerId: string): Promise<void> {
    const trigger = triggers.get(triggerId);
    const body = await readFields(req);
    const text = body.ok ? stringField(body.fields, 'text') : undefined;
    if (!trigger || !trigger.message || text === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no_text');
    const message = messages.items.find((m) => m.channel === trigger.message?.channel && m.ts === trigger.message.ts);
    if (body.ok && body.fields.replace_original === true && message) {
      message.text = text;
      const blocks = parseBlocks(body.fields.blocks);
      message.blocks = blocks === 'invalid' ? message.blocks : (blocks ?? []);
      message.updates = (message.updates ?? 0) + 1;
    } else {
      ephemerals.push({ channel: trigger.message.channel, user: trigger.user, text, thread_ts: message?.thread_ts, at: performance.now() });
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }

  /** users.info: the profile's email only with users:read.email, as Slack does. */
  function userInfo(fields: Fields, scopes: readonly string[]): SlackAnswer {
    const user = users.find((u) => u.id === stringField(fields, 'user'));
    if (!user) return { ok: false, error: 'user_not_found' };
    const profile = { real_name: user.name, display_name: user.name, ...(scopes.includes('users:read.email') ? { email: user.email } : {}) };
    return { ok: true, user: { id: user.id, name: user.name, real_name: user.name, deleted: false, is_bot: false, profile } };
  }

  /** The scope a call needs (history depends on the kind of channel it reads). */
  function neededScope(method: string, fields: Fields): string | null {
    if (method === 'chat.postMessage' || method === 'chat.update' || method === 'chat.postEphemeral') return 'chat:write';
    if (method === 'users.info') return 'users:read';
    if (method === 'conversations.history' || method === 'conversations.replies') {
      return findChannel(stringField(fields, 'channel') ?? '')?.private ? 'groups:history' : 'channels:history';
    }
    return null;
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

  async function answer(req: IncomingMessage, method: string): Promise<{ body: SlackAnswer; scopes?: readonly string[] }> {
    const body = await readFields(req);
    if (!body.ok) return { body: { ok: false, error: 'invalid_form_data' } };
    const token = authorizationToken(req) ?? stringField(body.fields, 'token');
    if (token === undefined) return { body: { ok: false, error: 'not_authed' } };
    let scopes: readonly string[] | undefined;
    for (const t of tokens) if (safeEqual(token, t.token)) scopes = t.scopes;
    if (!scopes) return { body: { ok: false, error: 'invalid_auth' } };
    const needed = neededScope(method, body.fields);
    if (needed && !scopes.includes(needed)) return { body: { ok: false, error: 'missing_scope', needed, provided: scopes.join(',') } as SlackAnswer, scopes };
    const f = body.fields;
    const result: SlackAnswer =
      method === 'chat.postMessage' ? postMessage(f)
      : method === 'chat.update' ? update(f)
      : method === 'chat.postEphemeral' ? ephemeral(f)
      : method === 'views.open' ? openView(f)
      : method === 'conversations.history' ? history(f)
      : method === 'conversations.replies' ? replies(f)
      : method === 'users.info' ? userInfo(f, scopes)
      : method === 'auth.test' ? { ok: true, url: 'https://sandbox.slack.test/', team: 'Sandbox', user: 'hotfix-bot', team_id: 'T0SANDBOX', user_id: 'U0HOTFIXBOT', bot_id: 'B0HOTFIXBOT' }
      : { ok: false, error: 'unknown_method' };
    return { body: result, scopes };
  }

  const http = await startHttpServer({
    port: opts.port,
    faults,
    requests,
    faultBody: (status) => (status === 429 ? { ok: false, error: 'ratelimited' } : { ok: false, error: 'fatal_error' }),
    handler: async (req, res, url) => {
      const response = /^\/response\/([\w.]+)$/.exec(url.pathname)?.[1];
      if (response !== undefined && req.method === 'POST') return respond(req, res, response);
      const method = /^\/api\/([\w.]+)$/.exec(url.pathname)?.[1];
      if (!method) return sendJson(res, 404, { ok: false, error: 'unknown_method' });
      if (req.method !== 'POST' && req.method !== 'GET') return sendJson(res, 405, { ok: false, error: 'method_not_supported' });
      const { body, scopes } = await answer(req, method);
      sendJson(res, 200, body, scopes ? { 'x-oauth-scopes': scopes.join(',') } : {});
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
    get ephemerals() {
      return ephemerals.items;
    },
    waitForEphemeral(predicate, timeoutMs = 5_000) {
      return ephemerals.waitFor(predicate, timeoutMs, 'a matching ephemeral Slack message');
    },
    get views() {
      return views.items;
    },
    waitForView(predicate, timeoutMs = 5_000) {
      return views.waitFor(predicate, timeoutMs, 'a modal opened by the app');
    },
    setInteractivity(target) {
      interactivity = target;
    },
    async click(userId, ref, actionId) {
      if (!interactivity) throw new Error('no interactivity URL: call setInteractivity first');
      const user = users.find((u) => u.id === userId);
      const message = messages.items.find((m) => m.channel === ref.channel && m.ts === ref.ts);
      const channel = channels.find((c) => c.id === ref.channel);
      if (!user || !message || !channel) throw new Error(`no such user, message or channel (${userId}, ${ref.ts})`);
      const button = findButton(message.blocks, actionId);
      if (!button) throw new Error(`message ${ref.ts} has no button ${actionId}`);
      const triggerId = `${++triggerSeq}.${Date.now()}.sandbox`;
      triggers.set(triggerId, { user: userId, at: performance.now(), used: false, message: { channel: message.channel, ts: message.ts } });
      const payload = blockActionsPayload({ user, channel: { id: channel.id, name: channel.name }, message, button, triggerId, responseUrl: `${http.url}/response/${triggerId}`, actionTs: nextTs() });
      return postSigned(interactivity, payload);
    },
    async submitView(viewId, values) {
      if (!interactivity) throw new Error('no interactivity URL: call setInteractivity first');
      const view = views.items.find((v) => v.id === viewId);
      const user = users.find((u) => u.id === view?.user);
      if (!view || !user) throw new Error(`no open view ${viewId}`);
      return postSigned(interactivity, viewSubmissionPayload({ user, view, values, triggerId: `${++triggerSeq}.${Date.now()}.sandbox` }));
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
