// A click on a Slack Promote/Reject button, run by a worker (the HTTP endpoint only checks the
// signature, queues it and answers Slack at once). The clicker is who Slack says they are;
// the decision goes through the same `decideOn` as an email link or the API, so the same
// policy holds: the requester cannot approve, a non-approver is told so, a stale button is
// out of date, a second click says who already decided.

import { DecisionRefused } from '../domain/approvals.js';
import { ForbiddenError, FrozenError, NotFoundError } from '../domain/errors.js';
import type { ChatAction } from '../ports/chat-interactions.js';
import { refusalInWords } from '../notify/decision-words.js';
import { decidedBlocks } from '../notify/slack-blocks.js';
import { slackEscape } from '../notify/slack-messages.js';
import { clockTime, inWords } from '../notify/time-words.js';
import type { Deps } from './deps.js';
import { decideOn } from './promotion.js';

/** A button's token names no person (whoever clicks decides); these stand in for the recipient. */
export const SLACK_BUTTON = 'slack';
/** A button whose confirm dialog said the build has no change from production. */
export const SLACK_BUTTON_NO_CHANGE = 'slack+no-change';

export function isSlackButton(recipient: string): boolean {
  return recipient === SLACK_BUTTON || recipient === SLACK_BUTTON_NO_CHANGE;
}

export async function handleChatAction(deps: Deps, a: ChatAction): Promise<void> {
  const tell = (text: string) => deps.interactions.tellPrivately(a.channel, a.userId, text, a.threadTs ?? undefined);
  const tz = deps.settings.timeZone;
  const now = deps.clock.now();
  const check = deps.links.verify(a.value, now);
  if ((!check.ok && check.reason !== 'expired') || !isSlackButton(check.claims.recipient) || check.claims.decision !== a.decision) {
    return tell('This button was not made by the hotfix service; nothing was done.');
  }
  const claims = check.claims;
  if (!check.ok) return tell(`This button expired on ${inWords(claims.expiresAt.toISOString(), tz)}: QA for build #${claims.build} is gone or going. A new build brings new buttons.`);
  const person = await deps.interactions.person(a.userId);
  if (!person) return tell('Your Slack profile shows no email address, so the service cannot tell whether you may decide. Use the link in the QA email instead.');
  // One decision per person per button: another approver may click the same button.
  const linkId = `${claims.linkId}.${a.userId}`;
  const reason = a.reason?.trim() ?? '';
  if (a.decision === 'reject' && reason === '') {
    // A reject whose modal was not opened (the button was stale): say why.
    const h = await deps.store.get(claims.hotfixId);
    return tell(h ? refusalInWords(h, { linkId, build: claims.build }, tz, 'button') : `Hotfix ${claims.hotfixId} does not exist (any more).`);
  }
  try {
    const { outcome } = await decideOn(deps, claims.hotfixId, {
      actor: person.email,
      decision: a.decision,
      comment: reason,
      via: 'slack',
      build: claims.build,
      linkId,
      confirmNoChange: claims.recipient === SLACK_BUTTON_NO_CHANGE,
    });
    const who = person.name && person.name !== person.email ? `${person.name} (${person.email})` : person.email;
    const at = clockTime(now, tz);
    if (outcome.kind === 'recorded') return tell(`Your approval of build #${claims.build} is recorded: ${outcome.approvals} of ${outcome.required}. Promotion starts when every group has approved.`);
    const line =
      outcome.kind === 'promoted'
        ? `:white_check_mark: Promoted by ${slackEscape(who)} at ${at} — deploying build #${claims.build}`
        : `:x: Rejected by ${slackEscape(who)} at ${at}: ${slackEscape(reason)}`;
    const text = `*${claims.hotfixId}* build #${claims.build}: ${line}`;
    await deps.interactions.update(a.channel, a.messageTs, text, decidedBlocks(text, line));
  } catch (err) {
    if (err instanceof DecisionRefused && err.reason !== 'no_change') {
      const h = await deps.store.get(claims.hotfixId);
      return tell(h ? refusalInWords(h, { linkId, build: claims.build }, tz, 'button') : err.message);
    }
    if (err instanceof DecisionRefused) return tell(`Not promoted: ${err.message}.`);
    if (err instanceof ForbiddenError) return tell(`Not allowed: ${err.message}.`);
    if (err instanceof FrozenError) return tell(`Production is frozen: ${err.message}. A lead can promote with an override and a reason through the API.`);
    if (err instanceof NotFoundError) return tell(`Hotfix ${claims.hotfixId} does not exist (any more).`);
    throw err;
  }
}
