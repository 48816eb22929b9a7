// notify-slack {event, ...}: one thread per hotfix. Posts for one hotfix are serialised, so
// two events racing cannot both start a thread. A Slack failure never blocks the hotfix.

import { describeGroups } from '../domain/approvals.js';
import { ExternalServiceError } from '../domain/errors.js';
import { toPublicView } from '../domain/hotfix.js';
import { completeEffect, note } from '../domain/record.js';
import { slackMessage, threadRoot, type SlackEvent } from '../notify/slack-messages.js';
import { change, context, load, serviceOf } from './change.js';
import { argString, type Step } from './step.js';

export const notifySlackStep: Step = async (deps, input) => {
  const event = argString(input.effect, 'event') as SlackEvent;
  await deps.locker.withLock(`slack:${input.hotfix.id}`, async () => {
    const h = await load(deps, input.hotfix.id);
    if (!h.outbox.some((e) => e.id === input.effect.id)) return;
    const channel = serviceOf(deps, h).slack.channel;
    let outcome: string;
    // After a crash the message may be in Slack already: look for its key before posting.
    const postOnce = async (where: string, threadTs: string | null, key: string, text: string, mayExist: boolean) =>
      (mayExist ? await deps.chat.find(where, threadTs, key) : null) ??
      (await deps.chat.post({ channel: where, text, key, ...(threadTs ? { threadTs } : {}) }));
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
        await postOnce(thread.channel, thread.ts, `${h.id}:${input.effect.id}`, slackMessage(toPublicView(h), event, input.effect.args, policy), input.resumed);
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
