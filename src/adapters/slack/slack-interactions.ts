// ChatInteractions on Slack's Web API. Who clicked comes from `users.info` (scopes `users:read`
// and `users:read.email`); the answer is cached for a while, since one person clicks many
// buttons and Slack rate-limits users.info (Tier 4).

import type { View } from '@slack/types';
import { ExternalServiceError } from '../../domain/errors.js';
import type { ChatInteractions, ChatPerson } from '../../ports/chat-interactions.js';
import { slackClient, slackError, type SlackSettings } from './slack-notifier.js';

const PERSON_TTL_MS = 10 * 60_000;
const PERSON_CACHE_SIZE = 1000;

export function createSlackInteractions(settings: SlackSettings, now: () => number = Date.now): ChatInteractions {
  const client = slackClient(settings);
  const people = new Map<string, { person: ChatPerson | null; until: number }>();

  async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ExternalServiceError) throw err;
      throw slackError(err, method);
    }
  }

  return {
    async person(userId) {
      const cached = people.get(userId);
      if (cached && cached.until > now()) return cached.person;
      const res = await call('users.info', () => client.users.info({ user: userId }));
      const u = res.user;
      const email = u?.profile?.email?.trim().toLowerCase();
      const person = u && !u.deleted && !u.is_bot && email ? { email, name: u.profile?.display_name || u.real_name || u.name || email } : null;
      // The oldest entry goes first: a Map keeps insertion order.
      if (people.size >= PERSON_CACHE_SIZE) people.delete(people.keys().next().value ?? '');
      people.delete(userId);
      people.set(userId, { person, until: now() + PERSON_TTL_MS });
      return person;
    },

    async update(channel, ts, text, blocks) {
      await call('chat.update', () => client.chat.update({ channel, ts, text, blocks: blocks ? [...blocks] : [] }));
    },

    async tellPrivately(channel, userId, text, threadTs) {
      await call('chat.postEphemeral', () => client.chat.postEphemeral({ channel, user: userId, text, ...(threadTs ? { thread_ts: threadTs } : {}) }));
    },

    async openModal(triggerId, view: View) {
      await call('views.open', () => client.views.open({ trigger_id: triggerId, view }));
    },
  };
}
