// The Slack simulator driven by the real @slack/web-api WebClient.
import { ErrorCode, LogLevel, WebClient, WebClientEvent, type RetryOptions } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackSim, type SlackSim } from '../../src/sandbox/slack/index.js';
import { field, rejectionOf } from './support.js';

const TOKEN = 'xoxb-sandbox-token';
const POST_ONLY = 'xoxb-post-only';
const READER = 'xoxb-reader';
// No backoff of the client's own: only Slack's Retry-After makes it wait.
const FAST_RETRY: RetryOptions = { retries: 2, minTimeout: 0, maxTimeout: 1 };

let sim: SlackSim;

function client(options: { token?: string; retryConfig?: RetryOptions; rejectRateLimitedCalls?: boolean } = {}): WebClient {
  return new WebClient(options.token ?? TOKEN, {
    slackApiUrl: sim.url,
    logLevel: LogLevel.ERROR,
    retryConfig: options.retryConfig ?? FAST_RETRY,
    rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? false,
  });
}

beforeAll(async () => {
  sim = await startSlackSim({
    token: TOKEN,
    tokens: [
      { token: POST_ONLY, scopes: ['chat:write'] },
      { token: READER, scopes: ['users:read', 'channels:history'] },
    ],
    channels: ['#payments-dev', 'ops', { name: 'secret-ops', private: true }],
    users: [{ id: 'U0ALICE', name: 'alice', email: 'alice@example.com' }],
  });
});
afterAll(async () => {
  await sim.close();
});

describe('Slack simulator with WebClient', () => {
  it('posts a message and a thread reply, recording both', async () => {
    const slack = client();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*HF-2026-11-001* opened' } }];
    const first = await slack.chat.postMessage({ channel: '#payments-dev', text: 'HF-2026-11-001 opened', blocks });
    expect(first).toMatchObject({ ok: true, channel: sim.channelId('payments-dev'), message: { text: 'HF-2026-11-001 opened', blocks } });
    expect(first.ts).toMatch(/^\d+\.\d{6}$/);

    const reply = await slack.chat.postMessage({ channel: sim.channelId('#payments-dev'), text: 'build #7 passed', thread_ts: first.ts });
    expect(reply.ts).not.toBe(first.ts);
    expect(sim.messages.map((m) => [m.channelName, m.text, m.thread_ts])).toEqual([
      ['payments-dev', 'HF-2026-11-001 opened', undefined],
      ['payments-dev', 'build #7 passed', first.ts],
    ]);
    expect(sim.messages[0]?.blocks).toEqual(blocks);
    expect(await sim.waitForMessage((m) => m.thread_ts === first.ts, 100)).toMatchObject({ ts: reply.ts });
  });

  it('answers Slack errors as ok:false, which WebClient throws as platform errors', async () => {
    const slack = client();
    const unknownChannel = await rejectionOf(slack.chat.postMessage({ channel: '#nowhere', text: 'x' }));
    expect(field(unknownChannel, 'code')).toBe(ErrorCode.PlatformError);
    expect(field(unknownChannel, 'data')).toMatchObject({ ok: false, error: 'channel_not_found' });

    // A ts from another channel is not a thread of this one.
    const inOps = await slack.chat.postMessage({ channel: 'ops', text: 'elsewhere' });
    const badThread = await rejectionOf(slack.chat.postMessage({ channel: '#payments-dev', text: 'x', thread_ts: inOps.ts ?? '' }));
    expect(field(badThread, 'data')).toMatchObject({ error: 'thread_not_found' });

    const badAuth = await rejectionOf(client({ token: 'xoxb-wrong' }).chat.postMessage({ channel: 'ops', text: 'x' }));
    expect(field(badAuth, 'data')).toMatchObject({ error: 'invalid_auth' });
  });

  it('makes WebClient wait out a 429 with Retry-After and retry by itself', async () => {
    const slack = client();
    const rateLimited: number[] = [];
    slack.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
    sim.failNext({ mode: 429, retryAfterSeconds: 1 });
    const before = sim.requests.length;
    const started = performance.now();
    await expect(slack.chat.postMessage({ channel: 'ops', text: 'after the limit' })).resolves.toMatchObject({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(rateLimited).toEqual([1]);
    expect(sim.requests.slice(before).map((r) => r.fault)).toEqual([429, undefined]);
  });

  it('rejects at once on a 429 when rejectRateLimitedCalls is set', async () => {
    sim.failNext({ mode: 429, retryAfterSeconds: 30 });
    const err = await rejectionOf(client({ rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'ops', text: 'x' }));
    expect(field(err, 'code')).toBe(ErrorCode.RateLimitedError);
    expect(field(err, 'retryAfter')).toBe(30);
  });

  it('surfaces a 500 as an HTTP error after the configured retries', async () => {
    sim.failNext({ mode: 500 });
    await expect(client().chat.postMessage({ channel: 'ops', text: 'retried' })).resolves.toMatchObject({ ok: true });

    sim.failNext({ mode: 500 });
    const err = await rejectionOf(client({ retryConfig: { retries: 0 } }).chat.postMessage({ channel: 'ops', text: 'x' }));
    expect(field(err, 'code')).toBe(ErrorCode.HTTPError);
    expect(field(err, 'statusCode')).toBe(500);
  });

  it('accepts a JSON body too', async () => {
    const res = await fetch(`${sim.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C00000002', text: 'as json', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C00000002', message: { blocks: [{ type: 'divider' }] } });
  });
});

describe('Slack simulator: scopes, as Slack enforces them', () => {
  it('answers missing_scope with needed and provided, and every answer carries x-oauth-scopes', async () => {
    const postOnly = client({ token: POST_ONLY });
    const posted = await postOnly.chat.postMessage({ channel: '#payments-dev', text: 'allowed' });
    expect(posted.response_metadata?.scopes).toEqual(['chat:write']);
    const err = await rejectionOf(postOnly.conversations.history({ channel: sim.channelId('#payments-dev') }));
    expect(field(err, 'code')).toBe(ErrorCode.PlatformError);
    expect(field(err, 'data')).toMatchObject({ ok: false, error: 'missing_scope', needed: 'channels:history', provided: 'chat:write' });
    const reader = client({ token: READER });
    await expect(reader.conversations.history({ channel: sim.channelId('#payments-dev') })).resolves.toMatchObject({ ok: true });
    const privateErr = await rejectionOf(reader.conversations.history({ channel: sim.channelId('secret-ops') }));
    expect(field(err, 'code')).toBe(ErrorCode.PlatformError);
    expect(field(privateErr, 'data')).toMatchObject({ error: 'missing_scope', needed: 'groups:history' });
    const noPost = await rejectionOf(reader.chat.postMessage({ channel: '#payments-dev', text: 'not allowed' }));
    expect(field(noPost, 'data')).toMatchObject({ error: 'missing_scope', needed: 'chat:write', provided: 'users:read,channels:history' });
    expect((await postOnly.auth.test()).response_metadata?.scopes).toEqual(['chat:write']);
  });

  it('users.info gives the email only with users:read.email', async () => {
    expect((await client().users.info({ user: 'U0ALICE' })).user?.profile?.email).toBe('alice@example.com');
    const withoutEmail = await client({ token: READER }).users.info({ user: 'U0ALICE' });
    expect(withoutEmail.user?.name).toBe('alice');
    expect(withoutEmail.user?.profile?.email).toBeUndefined();
    expect(field(await rejectionOf(client({ token: POST_ONLY }).users.info({ user: 'U0ALICE' })), 'data')).toMatchObject({ error: 'missing_scope', needed: 'users:read' });
  });

  it('chat.update replaces a message in place', async () => {
    const slack = client();
    const first = await slack.chat.postMessage({ channel: '#payments-dev', text: 'Promote?' });
    await slack.chat.update({ channel: first.channel ?? '', ts: first.ts ?? '', text: 'Promoted by alice' });
    expect(sim.messages.find((m) => m.ts === first.ts)).toMatchObject({ text: 'Promoted by alice', updates: 1 });
  });
});
