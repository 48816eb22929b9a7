// Team chat (Slack): one thread per hotfix. Every message carries a key, so after a crash the
// service can look for it before posting again.

import type { KnownBlock } from '@slack/types';

export interface ChatMessage {
  channel: string;
  text: string;
  /** Reply in this thread (the ts of its first message). */
  threadTs?: string;
  /** Identifies the notification (hotfix and event); stored with the message. */
  key: string;
  /** Layout with buttons; `text` stays the fallback (notifications, screen readers). */
  blocks?: readonly KnownBlock[];
}

export interface ChatNotifier {
  /** Posts and returns the message's id (Slack `ts`) and the channel id it landed in. */
  post(message: ChatMessage): Promise<{ ts: string; channel: string }>;
  /** A message with this key already in the thread (or, without a thread, in the channel). */
  find(channel: string, threadTs: string | null, key: string): Promise<{ ts: string; channel: string } | null>;
}
