// notify-slack {event, ...}: one thread per hotfix. Posts for one hotfix are serialised, so
// two events racing cannot both start a thread. A Slack failure never blocks the hotfix.

import type { KnownBlock } from '@slack/types';
import { describeGroups, isNoChange, recordChanges } from '../domain/approvals.js';
import { ExternalServiceError } from '../domain/errors.js';
import { toPublicView, type Hotfix } from '../domain/hotfix.js';
import { completeEffect, note } from '../domain/record.js';
import { qaReadyBlocks, type DecisionButtons } from '../notify/slack-blocks.js';
import { slackMessage, threadRoot, type SlackEvent } from '../notify/slack-messages.js';
import { change, context, load, serviceOf } from './change.js';
import type { Deps } from './deps.js';
import { argString, type Step } from './step.js';
import { SLACK_BUTTON, SLACK_BUTTON_NO_CHANGE } from './chat-action.js';
import { changesOf } from './promotion.js';

/**
 * Promote and Reject for the build under QA, signed like email links but for whoever clicks;
 * none when QA has moved on. What the build changes is looked at first: the confirm dialog
 * must say when it changes nothing.
 */
async function decisionButtons(deps: Deps, h: Hotfix, cycle: string | number | undefined): Promise<DecisionButtons | null> {
  const qa = h.qa;
  if (!qa || qa.cycle !== Number(cycle) || h.state !== 'awaiting_approval') return null;
  const service = serviceOf(deps, h);
  const looked = await changesOf(deps, h);
  if (looked) await change(deps, h.id, (d) => recordChanges(d, looked.cycle, { commits: looked.commits, files: looked.files }));
  const noChange = looked ? looked.files === 0 : isNoChange(qa);
  const expiresAt = new Date(qa.expiresAt ?? deps.clock.now().getTime() + service.qa.ttlHours * 3_600_000);
  const sign = (decision: 'promote' | 'reject', recipient: string) => deps.links.sign({ hotfixId: h.id, recipient, decision, build: qa.build, expiresAt }).token;
  const refused = noChange && service.promoteWithoutChanges === 'refuse';
  return {
    build: qa.build,
    promote: refused ? null : sign('promote', noChange ? SLACK_BUTTON_NO_CHANGE : SLACK_BUTTON),
    reject: sign('reject', SLACK_BUTTON),
    noChange,
  };
}

export const notifySlackStep: Step = async (deps, input) => {
  const event = argString(input.effect, 'event') as SlackEvent;
  await deps.locker.withLock(`slack:${input.hotfix.id}`, async () => {
    const h = await load(deps, input.hotfix.id);
    if (!h.outbox.some((e) => e.id === input.effect.id)) return;
    const channel = serviceOf(deps, h).slack.channel;
    let outcome: string;
    // After a crash the message may be in Slack already: look for its key before posting.
    const postOnce = async (where: string, threadTs: string | null, key: string, text: string, mayExist: boolean, blocks?: KnownBlock[]) =>
      (mayExist ? await deps.chat.find(where, threadTs, key) : null) ??
      (await deps.chat.post({ channel: where, text, key, ...(threadTs ? { threadTs } : {}), ...(blocks ? { blocks } : {}) }));
    try {
      let thread = h.slack;
      if (!thread) {
        // Always looked for: the job that posted it may have died before recording it, and
        // another event's job (not a retry) may be the next to get here. Once per hotfix.
        const root = await postOnce(channel, null, `${h.id}:thread`, threadRoot(toPublicView(h)), true);
        thread = { channel: root.channel, ts: root.ts };
        const started = thread;
        await change(deps, h.id, (d) => {
          d.slack = started;
        });
      }
      if (event !== 'requested') {
        const service = serviceOf(deps, h);
        const freeze = service.freezes.activeAt(deps.clock.now());
        const policy = { approvals: describeGroups(h, service, h.qa?.build ?? null), freeze: freeze ? { name: freeze.name, until: freeze.until.toISOString() } : null };
        const text = slackMessage(toPublicView(h), event, input.effect.args, policy);
        const buttons = event === 'qa-ready' && deps.settings.slackButtons ? await decisionButtons(deps, h, input.effect.args.cycle) : null;
        await postOnce(thread.channel, thread.ts, `${h.id}:${input.effect.id}`, text, input.resumed, buttons ? qaReadyBlocks(text, buttons) : undefined);
      }
      outcome = `Slack: ${event} posted`;
    } catch (err) {
      if (!(err instanceof ExternalServiceError) || err.transient) throw err;
      outcome = `Slack: ${event} not posted: ${err.message}`;
      input.log.warn({ err: err.message }, 'slack message dropped');
    }
    await change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      note(d, 'notification', context(deps, 'slack'), outcome);
    });
  });
};
