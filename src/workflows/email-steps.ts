// The QA-ready email (one per recipient per QA cycle) and the requester's notifications.
// An attempt is recorded before each send, so after a crash the service knows a message may
// have gone out and marks the second copy as a resend instead of sending it silently twice.

import { createHash } from 'node:crypto';
import { ExternalServiceError } from '../domain/errors.js';
import { decider, describeGroups, mayDecide, qaEmailRecipients, recordChanges } from '../domain/approvals.js';
import { approvalGroups } from '../domain/policy.js';
import { toPublicView, type Hotfix } from '../domain/hotfix.js';
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

/** send-qa-email {cycle} */
export const sendQaEmailStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const cycle = argNumber(effect, 'cycle');
  const qa = h.qa;
  if (!qa || qa.cycle !== cycle || h.state !== 'awaiting_approval' || !qa.url || !h.baseCommit) return skip(deps, input);
  const service = serviceOf(deps, h);
  const changes = await deps.git.changes(service.repo, h.baseCommit, qa.commit);
  const counts = { commits: changes.commits.length, files: changes.files.length };
  if (qa.changes == null) await change(deps, h.id, (d) => recordChanges(d, cycle, counts));
  const noChange = counts.files === 0;
  const refuseNoChange = noChange && service.promoteWithoutChanges === 'refuse';
  const build = h.builds.find((b) => b.number === qa.build);
  const expiresAt = new Date(qa.expiresAt ?? deps.clock.now().getTime() + service.qa.ttlHours * 3_600_000);
  const failed: string[] = [];
  const frozen = service.freezes.activeAt(deps.clock.now());
  for (const recipient of qaEmailRecipients(h, service)) {
    const earlier = qa.emails.find((e) => e.recipient === recipient);
    if (earlier?.sentAt) continue;
    const id = messageId(h, `qa${cycle}`, recipient);
    const resend = earlier !== undefined;
    if (!earlier) {
      const { result: stillWanted } = await change(deps, h.id, (d) => {
        if (d.qa?.cycle !== cycle || d.state !== 'awaiting_approval') return false;
        d.qa.emails.push({ recipient, messageId: id, sentAt: null, resend: false });
        return true;
      });
      if (!stillWanted) return skip(deps, input);
    }
    const sign = (decision: 'promote' | 'reject') =>
      actionUrl(deps, deps.links.sign({ hotfixId: h.id, recipient, decision, build: qa.build, expiresAt }).token);
    const email = renderQaEmail({
      hotfix: h,
      qa: { env: qa.env, url: qa.url, expiresAt: qa.expiresAt },
      build: { number: qa.build, url: build?.url ?? null, artifactVersion: qa.artifact.version },
      commits: changes.commits,
      files: changes.files,
      // Someone who may not decide is told, without links they could not use.
      links: mayDecide(recipient, service) ? { promote: refuseNoChange ? null : sign('promote'), reject: sign('reject') } : null,
      noChange: noChange ? { baseTag: h.baseTag ?? 'the production tag', refused: refuseNoChange } : null,
      decidedBy: approvalGroups(service.approvals).map((g) => g.name),
      resend,
      approvals: describeGroups(h, service, qa.build),
      freeze: frozen ? { name: frozen.name, until: frozen.until.toISOString(), overrideGroup: service.freezeOverride?.group ?? null } : null,
    });
    try {
      await deps.mailer.send({ to: recipient, ...email, messageId: id, headers: { 'X-Hotfix-Id': h.id, ...(resend ? { 'X-Hotfix-Resend': 'yes' } : {}) } });
    } catch (err) {
      if (err instanceof ExternalServiceError && !err.transient) {
        failed.push(`${recipient} (${err.message})`);
        continue;
      }
      throw err;
    }
    await change(deps, h.id, (d) => {
      const rec = d.qa?.cycle === cycle ? d.qa.emails.find((e) => e.recipient === recipient) : undefined;
      if (rec) Object.assign(rec, { sentAt: deps.clock.now().toISOString(), resend });
    });
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    // A rebuild may have started another QA cycle meanwhile: its emails are its own step's to count.
    if (d.qa?.cycle !== cycle) return;
    const ctx = context(deps, 'mailer');
    const sent = d.qa.emails.filter((e) => e.sentAt !== null).length;
    if (failed.length > 0) note(d, 'email', ctx, `QA email refused for ${failed.join('; ')}`);
    if (sent === 0 && d.state === 'awaiting_approval') {
      flagAttention(d, ctx, 'the QA email could not be delivered to any recipient', 'fix qa.recipients or the mail server, then build again', { step: 'send-qa-email', args: { cycle } });
    } else if (failed.length === 0) {
      note(d, 'email', ctx, `QA email sent to ${sent} recipient(s)`);
    }
  });
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
