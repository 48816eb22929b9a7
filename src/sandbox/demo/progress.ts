/**
 * Progress lines in the terminal while the demo runs: each hotfix state change and each
 * email, so a person watching the console sees the story without opening anything.
 */
import type { SmtpCatcher } from '../smtp/index.js';
import type { DemoApi } from './api-client.js';

export interface Progress {
  stop(): void;
}

export function watchProgress(api: DemoApi, smtp: SmtpCatcher, say: (line: string) => void, everyMs = 500): Progress {
  // Per hotfix, how many of its events were already told; state events carry every move.
  const told = new Map<string, number>();
  let mails = 0;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (const h of (await api.listHotfixes(20)).slice().reverse()) {
        for (const e of h.events.slice(told.get(h.id) ?? 0)) {
          if (e.type !== 'state') continue;
          const move = e.from ? `${e.from} → ${e.to ?? '?'}` : (e.to ?? '?');
          say(`${h.id}: ${move}${e.message ? ` (${e.message})` : ''}`);
        }
        told.set(h.id, h.events.length);
      }
      for (const mail of smtp.messages.slice(mails)) say(`email to ${mail.envelope.to.join(', ')}: ${mail.parsed.subject ?? ''}`);
      mails = smtp.messages.length;
    } catch {
      // The API is starting or stopping; the next tick will tell.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  return { stop: () => clearInterval(timer) };
}
