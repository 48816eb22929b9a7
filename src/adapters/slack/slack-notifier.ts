// ChatNotifier on Slack's Web API. The client's own retry policy can wait for half an hour;
// here it is bounded, and rate limits come back as transient errors carrying Retry-After so
// the job queue waits instead of a worker.

import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { ExternalServiceError } from '../../domain/errors.js';
import type { ChatNotifier } from '../../ports/chat-notifier.js';

interface SlackFailure {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
}

const PERMANENT = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'channel_not_found', 'not_in_channel', 'is_archived', 'missing_scope', 'invalid_arguments', 'msg_too_long', 'thread_not_found']);

export function slackError(err: unknown): ExternalServiceError {
  const e = (err ?? {}) as SlackFailure;
  if (e.code === ErrorCode.RateLimitedError) {
    return new ExternalServiceError('slack', 'rate limited', true, { cause: err, retryAfterMs: (e.retryAfter ?? 1) * 1000 });
  }
  if (e.code === ErrorCode.PlatformError) {
    const reason = e.data?.error ?? 'unknown_error';
    return new ExternalServiceError('slack', `chat.postMessage refused: ${reason}`, !PERMANENT.has(reason), { cause: err });
  }
  if (e.code === ErrorCode.HTTPError) {
    return new ExternalServiceError('slack', `HTTP ${e.statusCode ?? '?'}`, (e.statusCode ?? 500) >= 500, { cause: err });
  }
  return new ExternalServiceError('slack', `request failed (${e.code ?? 'network'})`, true, { cause: err });
}

const EVENT_TYPE = 'hotfix_notification';

function keyOf(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const m = metadata as { event_type?: unknown; event_payload?: { key?: unknown } };
  return m.event_type === EVENT_TYPE && typeof m.event_payload?.key === 'string' ? m.event_payload.key : undefined;
}

export function createSlackNotifier(settings: { token: string; apiUrl: string; timeoutMs?: number }): ChatNotifier {
  const client = new WebClient(settings.token, {
    slackApiUrl: settings.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 4000 },
    timeout: settings.timeoutMs ?? 15_000,
    logLevel: LogLevel.ERROR,
  });
  return {
    async post(message) {
      try {
        const res = await client.chat.postMessage({
          channel: message.channel,
          text: message.text,
          unfurl_links: false,
          metadata: { event_type: EVENT_TYPE, event_payload: { key: message.key } },
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        });
        if (!res.ts || !res.channel) throw new ExternalServiceError('slack', 'chat.postMessage answered without ts/channel', false);
        return { ts: res.ts, channel: res.channel };
      } catch (err) {
        if (err instanceof ExternalServiceError) throw err;
        throw slackError(err);
      }
    },

    async find(channel, threadTs, key) {
      try {
        const res = threadTs
          ? await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 })
          : await client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
        const found = (res.messages ?? []).find((m) => keyOf(m.metadata) === key);
        return found?.ts ? { ts: found.ts, channel } : null;
      } catch (err) {
        throw slackError(err);
      }
    },
  };
}
