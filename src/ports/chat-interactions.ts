// What a click in team chat (Slack's Promote/Reject buttons) needs from the chat system: who
// clicked, answering them, and changing the message they clicked in.

import type { KnownBlock, View } from '@slack/types';

export interface ChatPerson {
  email: string;
  name: string;
}

export interface ChatInteractions {
  /** The member's email and name (`users.info`), or null when their profile shows no email. */
  person(userId: string): Promise<ChatPerson | null>;
  /** Replaces one of the service's own messages in place. */
  update(channel: string, ts: string, text: string, blocks?: readonly KnownBlock[]): Promise<void>;
  /** A message only this member sees (in the thread when given). */
  tellPrivately(channel: string, userId: string, text: string, threadTs?: string): Promise<void>;
  /** Opens a modal for the click that gave this trigger id (Slack allows 3 seconds). */
  openModal(triggerId: string, view: View): Promise<void>;
}

/** A click on a hotfix's button (or the reject modal's submission), as queued for a worker. */
export interface ChatAction {
  decision: 'promote' | 'reject';
  /** The button's signed value (a link token bound to the hotfix, decision and build). */
  value: string;
  userId: string;
  channel: string;
  /** The message with the buttons, changed in place with the outcome. */
  messageTs: string;
  threadTs: string | null;
  /** The reason typed in the reject modal. */
  reason: string | null;
}

export interface ChatActionQueue {
  /** Queues a click once: the same `id` (a replayed request) is not queued again. */
  submit(id: string, action: ChatAction): Promise<void>;
}
