// The QA-ready email (one per recipient per QA cycle) and the requester's notifications.
// The attempts are recorded before anything is sent, so after a crash the service knows a
// message may have gone out and marks the second copy as a resend instead of sending it
// silently twice.

import { createHash } from 'node:crypto';
import { ExternalServiceError } from '../domain/errors.js';
import { decider, describeGroups, mayDecide, qaEmailRecipients, recordChanges } from '../domain/approvals.js';
import { approvalGroups } from '../domain/policy.js';
import { toPublicView, type ChangeList, type Hotfix, type QaCycle } from '../domain/hotfix.js';
import { completeEffect, flagAttention, note } from '../domain/record.js';
import { renderQaEmail } from '../notify/qa-email.js';
import { renderRequesterEmail, type RequesterEvent } from '../notify/requester-email.js';
import { change, context, serviceOf } from './change.js';
import type { Deps } from './deps.js';
import { argNumber, argString, skip, type Step } from './step.js';

function messageId(h: Hotfix, what: string, recipient: string): string {
  const who = createHash('sha256').update(recipient.toLowerCase()).digest('hex').slice(0, 16);
  return `<${h.id}.${what}.${who}@hotfix-orchestrator>`;
}

function actionUrl(deps: Deps, token: string): string {
  return `${deps.settings.publicUrl}/actions/${token}`;
}

/** What the build changes, for the email: as recorded while QA came up, or looked up now. */
async function changeListOf(deps: Deps, h: Hotfix, qa: QaCycle, baseCommit: string): Promise<{ list: ChangeList; totals: { commits: number; files: number }; looked: boolean }> {
  if (qa.changeList && qa.changes) return { list: qa.changeList, totals: qa.changes, looked: false };
  const found = await deps.git.changes(serviceOf(deps, h).repo, baseCommit, qa.commit);
  return { list: found, totals: { commits: found.commits.length, files: found.files.length }, looked: true };
}

/**
 * prepare-qa-email {cycle}: look up what the build changes while its QA environment comes up,
 * so the email goes out without waiting for git. Only a head start: when git cannot answer
 * now, the email step asks again itself.
 */
export const prepareQaEmailStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const cycle = argNumber(effect, 'cycle');
  const qa = h.qa;
  if (!qa || qa.cycle !== cycle || qa.changeList || !h.baseCommit || qa.status === 'down') return skip(deps, input);
  const list = await deps.git.changes(serviceOf(deps, h).repo, h.baseCommit, qa.commit).catch((err: unknown) => {
    input.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not look up the changes ahead of the QA email; it will');
    return null;
  });
  await change(deps, h.id, (d) => {
    if (list) recordChanges(d, cycle, { commits: list.commits.length, files: list.files.length }, list);
    completeEffect(d, effect.id);
  }, h);
};

/** send-qa-email {cycle} */
export const sendQaEmailStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const cycle = argNumber(effect, 'cycle');
  const qa = h.qa;
  if (!qa || qa.cycle !== cycle || h.state !== 'awaiting_approval' || !qa.url || !h.baseCommit) return skip(deps, input);
  const service = serviceOf(deps, h);
  const { list, totals, looked } = await changeListOf(deps, h, qa, h.baseCommit);
  const noChange = totals.files === 0;
  const refuseNoChange = noChange && service.promoteWithoutChanges === 'refuse';
  const build = h.builds.find((b) => b.number === qa.build);
  const expiresAt = new Date(qa.expiresAt ?? deps.clock.now().getTime() + service.qa.ttlHours * 3_600_000);
  const frozen = service.freezes.activeAt(deps.clock.now());
  const recipients = qaEmailRecipients(h, service).filter((r) => {
    const rec = qa.emails.find((e) => e.recipient === r);
    return !rec?.sentAt && !rec?.refused;
  });
  const resends = new Set(recipients.filter((r) => qa.emails.some((e) => e.recipient === r)));
  // One write records every attempt before anything is sent (a crash after it makes the next
  // copies resends) and, if this step looked, what the build changes.
  const { hotfix: current, result: stillWanted } = await change(deps, h.id, (d) => {
    if (looked) recordChanges(d, cycle, totals, list);
    if (d.qa?.cycle !== cycle || d.state !== 'awaiting_approval') return false;
    for (const recipient of recipients) {
      if (!resends.has(recipient)) d.qa.emails.push({ recipient, messageId: messageId(h, `qa${cycle}`, recipient), sentAt: null, resend: false });
    }
    return true;
  }, h);
  if (!stillWanted) return skip(deps, { ...input, hotfix: current });
  const sign = (recipient: string, decision: 'promote' | 'reject') =>
    actionUrl(deps, deps.links.sign({ hotfixId: h.id, recipient, decision, build: qa.build, expiresAt }).token);
  const sendTo = async (recipient: string): Promise<void> => {
    const resend = resends.has(recipient);
    const email = renderQaEmail({
      hotfix: h,
      qa: { env: qa.env, url: qa.url ?? '', expiresAt: qa.expiresAt },
      build: { number: qa.build, url: build?.url ?? null, artifactVersion: qa.artifact.version },
      commits: list.commits,
      files: list.files,
      totals,
      // Someone who may not decide is told, without links they could not use.
      links: mayDecide(recipient, service) ? { promote: refuseNoChange ? null : sign(recipient, 'promote'), reject: sign(recipient, 'reject') } : null,
      noChange: noChange ? { baseTag: h.baseTag ?? 'the production tag', refused: refuseNoChange } : null,
      decidedBy: approvalGroups(service.approvals).map((g) => g.name),
      resend,
      approvals: describeGroups(h, service, qa.build),
      freeze: frozen ? { name: frozen.name, until: frozen.until.toISOString(), overrideGroup: service.freezeOverride?.group ?? null } : null,
    });
    const id = messageId(h, `qa${cycle}`, recipient);
    await deps.mailer.send({ to: recipient, ...email, messageId: id, headers: { 'X-Hotfix-Id': h.id, ...(resend ? { 'X-Hotfix-Resend': 'yes' } : {}) } });
  };
  // Side by side over the mailer's pooled connections; each recipient's outcome is its own.
  const outcomes = await Promise.allSettled(recipients.map(sendTo));
  const sentTo = recipients.filter((_, i) => outcomes[i]?.status === 'fulfilled');
  const refused = new Map<string, string>();
  let retry: unknown = null;
  outcomes.forEach((o, i) => {
    if (o.status === 'fulfilled') return;
    if (o.reason instanceof ExternalServiceError && !o.reason.transient) refused.set(recipients[i] ?? '', o.reason.message);
    else retry ??= o.reason;
  });
  await change(deps, h.id, (d) => {
    const now = deps.clock.now().toISOString();
    for (const rec of d.qa?.cycle === cycle ? d.qa.emails : []) {
      if (sentTo.includes(rec.recipient)) Object.assign(rec, { sentAt: now, resend: resends.has(rec.recipient) });
      // Recorded now, whether or not the step runs again for someone else's passing failure.
      const why = refused.get(rec.recipient);
      if (why !== undefined) rec.refused = why;
    }
    // A passing failure: what went out is recorded, the job runs again for the rest.
    if (retry !== null) return;
    completeEffect(d, effect.id);
    // A rebuild may have started another QA cycle meanwhile: its emails are its own step's to count.
    if (d.qa?.cycle !== cycle) return;
    const ctx = context(deps, 'mailer');
    const sent = d.qa.emails.filter((e) => e.sentAt !== null).length;
    const failed = d.qa.emails.filter((e) => e.refused).map((e) => `${e.recipient} (${e.refused})`);
    if (failed.length > 0) note(d, 'email', ctx, `QA email refused for ${failed.join('; ')}`);
    if (sent === 0 && d.state === 'awaiting_approval') {
      flagAttention(d, ctx, 'the QA email could not be delivered to any recipient', 'fix qa.recipients or the mail server, then build again', { step: 'send-qa-email', args: { cycle } });
    } else if (failed.length === 0) {
      note(d, 'email', ctx, `QA email sent to ${sent} recipient(s)`);
    }
  }, current);
  if (retry !== null) throw retry;
};

/** notify-requester {event, ...}: never blocks the hotfix; a refused message is noted. */
export const notifyRequesterStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const event = argString(effect, 'event') as RequesterEvent;
  const tag = typeof effect.args.tag === 'string' ? effect.args.tag : undefined;
  const email = renderRequesterEmail(toPublicView(h), event, tag === undefined ? {} : { tag }, `${deps.settings.publicUrl}/api/v1/hotfixes/${h.id}`);
  // A failed verification or rollback concerns everyone who let it through, not only the requester.
  const approvers = event === 'verification-failed' || event === 'rollback-failed' ? h.approvals.filter((a) => a.decision === 'promote' && a.build === h.promotion?.build).map(decider) : [];
  const to = [...new Set([h.requestedBy.toLowerCase(), ...approvers])];
  let outcome = `${event} email sent to ${to.join(', ')}`;
  try {
    await deps.mailer.send({
      to: to.join(', '),
      ...email,
      messageId: messageId(h, effect.id.replace(/[^A-Za-z0-9.-]/g, '-'), h.requestedBy),
      headers: { 'X-Hotfix-Id': h.id, ...(input.resumed ? { 'X-Hotfix-Resend': 'maybe' } : {}) },
    });
  } catch (err) {
    if (!(err instanceof ExternalServiceError) || err.transient) throw err;
    outcome = `${event} email to ${to.join(', ')} refused: ${err.message}`;
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    note(d, 'email', context(deps, 'mailer'), outcome);
  });
};
