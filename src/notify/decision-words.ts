// Why a link or a button no longer decides anything, in a tester's words and time zone: the
// email pages and the Slack buttons say it the same way.

import type { Hotfix } from '../domain/hotfix.js';
import { inWords } from './time-words.js';

export function refusalInWords(h: Hotfix, used: { linkId: string; build: number }, tz: string, noun: 'link' | 'button'): string {
  const verb = (d: string) => (d === 'promote' ? 'promoted' : 'rejected');
  const mine = h.approvals.find((a) => a.linkId === used.linkId);
  if (mine) return `Already ${verb(mine.decision)} with this ${noun} by ${mine.onBehalfOf ?? mine.actor} at ${inWords(mine.at, tz)}.`;
  if (h.rejection && h.state === 'rejected') return `Already rejected by ${h.rejection.actor} at ${inWords(h.rejection.at, tz)}${h.rejection.reason ? `: “${h.rejection.reason}”` : ''}.`;
  if (h.promotion) return `Already promoted by ${h.promotion.approvedBy.join(' and ')} at ${inWords(h.promotion.approvedAt, tz)}; the hotfix is now ${h.state.replace(/_/g, ' ')}.`;
  if (h.qa && h.qa.build !== used.build) return `Out of date: this ${noun} is for build #${used.build}, but QA now tests build #${h.qa.build}. Use the newest ${noun === 'link' ? 'email' : 'message'}.`;
  return h.state === 'cancelled' ? 'The hotfix was cancelled.' : `The hotfix is ${h.state.replace(/_/g, ' ')}: there is nothing to decide.`;
}
