// ChatNotifier on Slack's Web API. The client's own retry policy can wait for half an hour;
// here it is bounded, and rate limits come back as transient errors carrying Retry-After so
// the job queue waits instead of a worker.
//
// Posting needs only `chat:write`. Looking for a message already posted (after a crash) needs
// `channels:history` (`groups:history` in a private channel); without it the notifier cannot
// look, says so once, and posts — a crash at the wrong moment may then repeat one message.

import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { ExternalServiceError } from '../../domain/errors.js';
import type { ChatNotifier } from '../../ports/chat-notifier.js';

interface SlackFailure {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string; needed?: string };
}

const PERMANENT = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'channel_not_found', 'not_in_channel', 'is_archived', 'missing_scope', 'invalid_arguments', 'msg_too_long', 'thread_not_found', 'message_not_found', 'cant_update_message', 'user_not_found']);

/** A Slack failure in the service's words, naming the method that failed. */
export function slackError(err: unknown, method: string): ExternalServiceError {
  const e = (err ?? {}) as SlackFailure;
  if (e.code === ErrorCode.RateLimitedError) {
    return new ExternalServiceError('slack', `${method} rate limited`, true, { cause: err, retryAfterMs: (e.retryAfter ?? 1) * 1000 });
  }
  if (e.code === ErrorCode.PlatformError) {
    const reason = e.data?.error ?? 'unknown_error';
    const needed = reason === 'missing_scope' && e.data?.needed ? ` (needed ${e.data.needed})` : '';
    return new ExternalServiceError('slack', `${method} refused: ${reason}${needed}`, !PERMANENT.has(reason), { cause: err });
  }
  if (e.code === ErrorCode.HTTPError) {
    return new ExternalServiceError('slack', `${method}: HTTP ${e.statusCode ?? '?'}`, (e.statusCode ?? 500) >= 500, { cause: err });
  }
  return new ExternalServiceError('slack', `${method}: request failed (${e.code ?? 'network'})`, true, { cause: err });
}

function isMissingScope(err: unknown): boolean {
  const e = (err ?? {}) as SlackFailure;
  return e.code === ErrorCode.PlatformError && e.data?.error === 'missing_scope';
}

const EVENT_TYPE = 'hotfix_notification';

function keyOf(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const m = metadata as { event_type?: unknown; event_payload?: { key?: unknown } };
  return m.event_type === EVENT_TYPE && typeof m.event_payload?.key === 'string' ? m.event_payload.key : undefined;
}

export interface SlackSettings {
  token: string;
  apiUrl: string;
  timeoutMs?: number;
}

export function slackClient(settings: SlackSettings): WebClient {
  return new WebClient(settings.token, {
    slackApiUrl: settings.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 4000 },
    timeout: settings.timeoutMs ?? 15_000,
    logLevel: LogLevel.ERROR,
  });
}

export function createSlackNotifier(settings: SlackSettings, onCannotLook: (channel: string, why: string) => void = () => undefined): ChatNotifier {
  const client = slackClient(settings);
  // Channels whose history the token may not read: looked up once, then not asked again.
  const unreadable = new Set<string>();
  return {
    async post(message) {
      try {
        const res = await client.chat.postMessage({
          channel: message.channel,
          text: message.text,
          unfurl_links: false,
          ...(message.blocks ? { blocks: [...message.blocks] } : {}),
          metadata: { event_type: EVENT_TYPE, event_payload: { key: message.key } },
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        });
        if (!res.ts || !res.channel) throw new ExternalServiceError('slack', 'chat.postMessage answered without ts/channel', false);
        return { ts: res.ts, channel: res.channel };
      } catch (err) {
        if (err instanceof ExternalServiceError) throw err;
        throw slackError(err, 'chat.postMessage');
      }
    },

    async find(channel, threadTs, key) {
      if (unreadable.has(channel)) return null;
      const method = threadTs ? 'conversations.replies' : 'conversations.history';
      try {
        const res = threadTs
          ? await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 })
          : await client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
        const found = (res.messages ?? []).find((m) => keyOf(m.metadata) === key);
        return found?.ts ? { ts: found.ts, channel } : null;
      } catch (err) {
        if (!isMissingScope(err)) throw slackError(err, method);
        // Not allowed to look: post anyway (Slack must not stop because a scope is missing).
        unreadable.add(channel);
        onCannotLook(channel, slackError(err, method).message);
        return null;
      }
    },
  };
}

/**
 * At start-up: is the token valid, and may it post? Answers its scopes, or null when Slack could
 * not be asked (Slack being down never stops the service). Throws with one line otherwise.
 */
export async function checkSlackToken(settings: SlackSettings, buttons = false): Promise<string[] | null> {
  let scopes: string[] | undefined;
  try {
    const res = await slackClient({ ...settings, timeoutMs: settings.timeoutMs ?? 5000 }).auth.test();
    scopes = res.response_metadata?.scopes;
  } catch (err) {
    const e = slackError(err, 'auth.test');
    if (e.transient) return null;
    throw new ExternalServiceError('slack', `slack.token is not accepted by Slack (${e.message}): use the app's Bot User OAuth Token (xoxb-…)`, false, { cause: err });
  }
  if (scopes && !scopes.includes('chat:write')) {
    throw new ExternalServiceError('slack', `slack.token lacks the chat:write scope (it has: ${scopes.join(', ') || 'none'}): add it in the Slack app's OAuth & Permissions page and reinstall the app`, false);
  }
  // Buttons decide for whoever clicked: without their email the service cannot apply the policy.
  const missing = buttons && scopes ? ['users:read', 'users:read.email'].filter((s) => !scopes.includes(s)) : [];
  if (missing.length > 0) {
    throw new ExternalServiceError('slack', `slack.signingSecret turns on Promote/Reject buttons, which need the ${missing.join(' and ')} scope${missing.length > 1 ? 's' : ''} to know who clicked (the token has: ${scopes?.join(', ')}): add them and reinstall the app, or remove slack.signingSecret`, false);
  }
  return scopes ?? null;
}
