// The Slack notifier (@slack/web-api WebClient) against the local Slack Web API server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackInteractions } from '../../../src/adapters/slack/slack-interactions.js';
import { checkSlackToken, createSlackNotifier } from '../../../src/adapters/slack/slack-notifier.js';
import type { ChatNotifier } from '../../../src/ports/chat-notifier.js';
import { startSlackSim, type SlackSim } from '../../../src/sandbox/index.js';
import { closedPort, externalFailure } from './support.js';

const TOKEN = 'xoxb-test-slack-token';
const POST_ONLY = 'xoxb-chat-write-only';
const NO_CHAT = 'xoxb-reads-only';
const BUTTONS = 'xoxb-buttons';
const CHANNEL = '#payments-dev';

let sim: SlackSim;
let slack: ChatNotifier;

beforeAll(async () => {
  sim = await startSlackSim({
    tokens: [
      { token: TOKEN, scopes: ['chat:write', 'channels:history', 'groups:history'] },
      { token: POST_ONLY, scopes: ['chat:write'] },
      { token: NO_CHAT, scopes: ['channels:history'] },
      { token: BUTTONS, scopes: ['chat:write', 'users:read', 'users:read.email'] },
    ],
    channels: [CHANNEL, '#other', { name: '#private-ops', private: true }],
    users: [{ id: 'U0ALICE', name: 'Alice', email: 'Alice@Example.com' }],
  });
  slack = createSlackNotifier({ token: TOKEN, apiUrl: sim.url, timeoutMs: 2_000 });
});
afterAll(async () => {
  await sim.close();
});

const postCalls = () => sim.requests.filter((r) => r.path === '/api/chat.postMessage').length;

describe('posting', () => {
  it('posts to a channel by name and replies in the thread of the first message', async () => {
    const first = await slack.post({ channel: CHANNEL, text: 'HF-2026-11-001 requested: Fix rounding of refunds', key: 'k' });

    expect(first.channel).toBe(sim.channelId(CHANNEL));
    expect(first.ts).toMatch(/^\d+\.\d{6}$/);

    const reply = await slack.post({ channel: first.channel, text: 'HF-2026-11-001 is ready for QA', threadTs: first.ts, key: 'k' });

    expect(reply.channel).toBe(first.channel);
    expect(reply.ts).not.toBe(first.ts);
    const stored = sim.messages.find((m) => m.ts === reply.ts);
    expect(stored).toMatchObject({ channel: first.channel, thread_ts: first.ts, text: 'HF-2026-11-001 is ready for QA' });
    expect(sim.messages.find((m) => m.ts === first.ts)?.thread_ts).toBeUndefined();
  });
});

describe('finding a message again (after a crash, before posting twice)', () => {
  it('finds a reply in its thread, and a thread root in the channel, by key', async () => {
    const root = await slack.post({ channel: CHANNEL, text: 'HF-2026-11-009 requested', key: 'HF-2026-11-009:thread' });
    const reply = await slack.post({ channel: root.channel, threadTs: root.ts, text: 'HF-2026-11-009 in QA', key: 'HF-2026-11-009:notify-slack:qa-ready:1' });
    expect(await slack.find(root.channel, root.ts, 'HF-2026-11-009:notify-slack:qa-ready:1')).toEqual({ ts: reply.ts, channel: root.channel });
    expect(await slack.find(root.channel, root.ts, 'HF-2026-11-009:notify-slack:promoted:1')).toBeNull();
    expect(await slack.find(CHANNEL, null, 'HF-2026-11-009:thread')).toEqual({ ts: root.ts, channel: CHANNEL });
    expect(await slack.find(CHANNEL, null, 'HF-2026-11-010:thread')).toBeNull();
  });
});

describe('scopes (issue 10.5)', () => {
  it('a token with only chat:write (what the README requires) posts, and says once that it cannot look', async () => {
    const cannot: string[] = [];
    const postOnly = createSlackNotifier({ token: POST_ONLY, apiUrl: sim.url, timeoutMs: 2_000 }, (_channel, why) => cannot.push(why));
    expect(await postOnly.find(CHANNEL, null, 'HF-2026-11-020:thread')).toBeNull();
    expect(await postOnly.find(CHANNEL, null, 'HF-2026-11-021:thread')).toBeNull();
    const root = await postOnly.post({ channel: CHANNEL, text: 'HF-2026-11-020 requested', key: 'HF-2026-11-020:thread' });
    expect(sim.messages.some((m) => m.ts === root.ts)).toBe(true);
    expect(cannot).toEqual(['slack: conversations.history refused: missing_scope (needed channels:history)']);
  });

  it('a private channel needs groups:history to look', async () => {
    const cannot: string[] = [];
    const publicOnly = createSlackNotifier({ token: NO_CHAT, apiUrl: sim.url, timeoutMs: 2_000 }, (_channel, why) => cannot.push(why));
    expect(await publicOnly.find(sim.channelId('#private-ops'), null, 'k')).toBeNull();
    expect(cannot[0]).toContain('needed groups:history');
  });

  it('errors name the method that failed', async () => {
    const noChat = createSlackNotifier({ token: NO_CHAT, apiUrl: sim.url, timeoutMs: 2_000 });
    const err = await externalFailure(noChat.post({ channel: CHANNEL, text: 'hello', key: 'k' }), false);
    expect(err.message).toBe('slack: chat.postMessage refused: missing_scope (needed chat:write)');
  });

  it('the start-up check answers the scopes, refuses a token that cannot post or is not valid, and lets Slack being down pass', async () => {
    expect(await checkSlackToken({ token: POST_ONLY, apiUrl: sim.url })).toEqual(['chat:write']);
    await expect(checkSlackToken({ token: NO_CHAT, apiUrl: sim.url })).rejects.toThrow(/slack.token lacks the chat:write scope \(it has: channels:history\)/);
    await expect(checkSlackToken({ token: 'xoxb-revoked', apiUrl: sim.url })).rejects.toThrow(/slack.token is not accepted by Slack .*invalid_auth/);
    expect(await checkSlackToken({ token: TOKEN, apiUrl: `http://127.0.0.1:${await closedPort()}/api/`, timeoutMs: 500 })).toBeNull();
  });

  it('with buttons on, the start-up check also wants users:read and users:read.email (to know who clicked)', async () => {
    await expect(checkSlackToken({ token: POST_ONLY, apiUrl: sim.url }, true)).rejects.toThrow(/need the users:read and users:read.email scopes to know who clicked \(the token has: chat:write\)/);
    expect(await checkSlackToken({ token: BUTTONS, apiUrl: sim.url }, true)).toEqual(['chat:write', 'users:read', 'users:read.email']);
  });
});

describe('interactions', () => {
  it('finds who clicked (cached), and says what is missing when the token cannot read emails', async () => {
    let now = 1_000;
    const interactions = createSlackInteractions({ token: BUTTONS, apiUrl: sim.url, timeoutMs: 2_000 }, () => now);
    const calls = () => sim.requests.filter((r) => r.path === '/api/users.info').length;
    const before = calls();
    expect(await interactions.person('U0ALICE')).toEqual({ email: 'alice@example.com', name: 'Alice' });
    expect(await interactions.person('U0ALICE')).toEqual({ email: 'alice@example.com', name: 'Alice' });
    expect(calls()).toBe(before + 1);
    now += 11 * 60_000;
    await interactions.person('U0ALICE');
    expect(calls()).toBe(before + 2);
    await expect(interactions.person('U0NOBODY')).rejects.toThrow('slack: users.info refused: user_not_found');

    const withoutEmail = createSlackInteractions({ token: TOKEN, apiUrl: sim.url, timeoutMs: 2_000 });
    await expect(withoutEmail.person('U0ALICE')).rejects.toThrow('users.info refused: missing_scope (needed users:read)');
  });

  it('answers privately in the thread, updates in place, and cannot open a modal on a stale trigger', async () => {
    const interactions = createSlackInteractions({ token: BUTTONS, apiUrl: sim.url, timeoutMs: 2_000 });
    const root = await slack.post({ channel: CHANNEL, text: 'thread', key: 'i1' });
    await interactions.tellPrivately(root.channel, 'U0ALICE', 'only for you', root.ts);
    expect(sim.ephemerals.at(-1)).toMatchObject({ user: 'U0ALICE', text: 'only for you', thread_ts: root.ts });
    await interactions.update(root.channel, root.ts, 'changed', [{ type: 'section', text: { type: 'mrkdwn', text: 'changed' } }]);
    expect(sim.messages.find((m) => m.ts === root.ts)).toMatchObject({ text: 'changed', updates: 1 });
    await expect(interactions.openModal('1.2.sandbox', { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [] })).rejects.toThrow('views.open refused: invalid_trigger_id');
  });
});

describe('failures', () => {
  it('429 is transient, carries Retry-After as retryAfterMs, and is not retried by the client itself', async () => {
    const before = postCalls();
    sim.failNext({ mode: 429, retryAfterSeconds: 7 });

    const err = await externalFailure(slack.post({ channel: CHANNEL, text: 'rate limited', key: 'k' }), true);

    expect(err.retryAfterMs).toBe(7_000);
    expect(postCalls() - before).toBe(1);
  });

  it('channel_not_found is permanent', async () => {
    const err = await externalFailure(slack.post({ channel: '#nowhere', text: 'hello', key: 'k' }), false);
    expect(err.message).toContain('channel_not_found');
  });

  it('an invalid token is permanent', async () => {
    const wrong = createSlackNotifier({ token: 'xoxb-revoked', apiUrl: sim.url, timeoutMs: 2_000 });
    const err = await externalFailure(wrong.post({ channel: CHANNEL, text: 'hello', key: 'k' }), false);
    expect(err.message).toContain('invalid_auth');
  });

  it('a single 500 is absorbed by the client’s bounded retries', async () => {
    sim.failNext({ mode: 500 });
    const res = await slack.post({ channel: CHANNEL, text: 'after a hiccup', key: 'k' });
    expect(sim.messages.some((m) => m.ts === res.ts)).toBe(true);
  });

  it('a Slack that keeps failing, or cannot be reached, is transient', async () => {
    sim.failNext({ mode: 500, count: 3 });
    await externalFailure(slack.post({ channel: CHANNEL, text: 'down', key: 'k' }), true);

    const unreachable = createSlackNotifier({ token: TOKEN, apiUrl: `http://127.0.0.1:${await closedPort()}/api/`, timeoutMs: 1_000 });
    await externalFailure(unreachable.post({ channel: CHANNEL, text: 'nobody home', key: 'k' }), true);
  });
});
