// /actions/:token — the email links (CONTRACT.md §6). GET and HEAD only look (mail scanners
// open every link; they must neither act nor use up the link). POST acts, and only with the
// form's proof field, which a scanner that never rendered the page cannot have.
// /actions/:token/status — the hotfix's live, read-only status, for whoever holds a link to it.

import type { Request, RequestHandler, Response } from 'express';
import { approvalsFor, DecisionRefused, describeGroups, isNoChange, refusalOf } from '../domain/approvals.js';
import { ForbiddenError, FrozenError, NotFoundError } from '../domain/errors.js';
import { toPublicView, type Hotfix } from '../domain/hotfix.js';
import type { LinkClaims } from '../ports/link-signer.js';
import type { Deps } from '../workflows/deps.js';
import { decideOn } from '../workflows/promotion.js';
import { decisionForm, messagePage, type ActionContext, type Tone } from './pages/action-page.js';
import { inWords } from './pages/layout.js';
import { statusPage } from './pages/status-page.js';
import { refusalInWords } from '../notify/decision-words.js';
import { isSlackButton } from '../workflows/chat-action.js';

/** How long after its link expires the status view still answers: the road after QA takes a while. */
const STATUS_GRACE_MS = 30 * 24 * 3_600_000;

type Resolved =
  | { ok: false; status: number; title: string; message: string; tone: Tone; ctx?: ActionContext }
  | { ok: true; claims: LinkClaims; hotfix: Hotfix; ctx: ActionContext };

function page(res: Response, status: number, html: string): void {
  res.status(status).set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' }).type('html').send(html);
}

function contextOf(deps: Deps, h: Hotfix, claims: LinkClaims, token: string): ActionContext {
  const service = deps.services.get(h.service);
  const { count, required } = service ? approvalsFor(h, service) : { count: 0, required: 1 };
  const freeze = service?.freezes?.activeAt(deps.clock.now()) ?? null;
  const noChange = h.qa && h.qa.build === claims.build && isNoChange(h.qa) ? { baseTag: h.baseTag ?? 'the production tag', refused: service?.promoteWithoutChanges === 'refuse' } : null;
  return {
    noChange,
    statusUrl: `${deps.settings.publicUrl}/actions/${token}/status`,
    timeZone: deps.settings.timeZone,
    hotfix: toPublicView(h),
    decision: claims.decision,
    recipient: claims.recipient,
    build: claims.build,
    approvals: { count, required, groups: service ? describeGroups(h, service, claims.build) : [] },
    freeze: freeze ? { name: freeze.name, until: freeze.until.toISOString() } : null,
  };
}

async function resolve(deps: Deps, token: string): Promise<Resolved> {
  const check = deps.links.verify(token, deps.clock.now());
  if (!check.ok && check.reason !== 'expired') {
    return check.reason === 'malformed'
      ? { ok: false, status: 400, title: 'This link is not valid', message: 'The link is incomplete or damaged. Open it again from the email, without editing it.', tone: 'bad' }
      : { ok: false, status: 404, title: 'This link is not valid', message: 'The service did not issue this link. Open it from the email it came in.', tone: 'bad' };
  }
  const claims = check.claims;
  // A Slack button's value names no person: it decides only through Slack, for whoever Slack says clicked.
  if (isSlackButton(claims.recipient)) return { ok: false, status: 404, title: 'This link is not valid', message: 'The service did not issue this link. Open it from the email it came in.', tone: 'bad' };
  const h = await deps.store.get(claims.hotfixId);
  if (!h) return { ok: false, status: 404, title: 'Unknown hotfix', message: `Hotfix ${claims.hotfixId} does not exist (any more).`, tone: 'bad' };
  const ctx = contextOf(deps, h, claims, token);
  const tz = deps.settings.timeZone;
  if (!check.ok) {
    return { ok: false, status: 410, title: 'This link has expired', message: `It expired on ${inWords(claims.expiresAt.toISOString(), tz)}. The QA environment it was for is gone or going; a new build sends new links.`, tone: 'warn', ctx };
  }
  const refused = refusalOf(h, claims.linkId, claims.build);
  if (refused) {
    const title = refused.reason === 'used' ? 'This link was already used' : 'Nothing to decide here any more';
    return { ok: false, status: 409, title, message: refusalInWords(h, claims, tz, 'link'), tone: 'info', ctx };
  }
  return { ok: true, claims, hotfix: h, ctx };
}

/** GET /actions/:token/status: a signed link (even an expired one, for a while) shows its hotfix. */
export function showStatus(deps: Deps): RequestHandler {
  return async (req, res) => {
    const now = deps.clock.now();
    const check = deps.links.verify(String(req.params.token ?? ''), now);
    if (!check.ok && check.reason !== 'expired') return page(res, 404, messagePage('This link is not valid', 'Open it from the email it came in, without editing it.', 'bad'));
    const claims = check.claims;
    if (now.getTime() > claims.expiresAt.getTime() + STATUS_GRACE_MS) {
      return page(res, 410, messagePage('This link is too old', `It expired on ${inWords(claims.expiresAt.toISOString(), deps.settings.timeZone)}. Ask the team for the hotfix's state.`, 'warn'));
    }
    const h = await deps.store.get(claims.hotfixId);
    if (!h) return page(res, 404, messagePage('Unknown hotfix', `Hotfix ${claims.hotfixId} does not exist (any more).`, 'bad'));
    page(res, 200, statusPage(toPublicView(h), deps.settings.timeZone, now));
  };
}

export function showAction(deps: Deps): RequestHandler {
  return async (req, res) => {
    const token = String(req.params.token ?? '');
    const r = await resolve(deps, token);
    if (!r.ok) return page(res, r.status, messagePage(r.title, r.message, r.tone, r.ctx));
    page(res, 200, decisionForm(r.ctx, { proof: deps.links.formProof(token) }));
  };
}

function sameOrigin(req: Request, publicOrigin: string): boolean {
  const origin = req.get('origin');
  return origin === undefined || origin === 'null' || origin === publicOrigin;
}

export function postAction(deps: Deps, publicOrigin: string): RequestHandler {
  return async (req, res) => {
    if (!sameOrigin(req, publicOrigin)) {
      return page(res, 403, messagePage('Refused', 'This form can only be sent from the page the service showed you.', 'bad'));
    }
    const token = String(req.params.token ?? '');
    const r = await resolve(deps, token);
    if (!r.ok) return page(res, r.status, messagePage(r.title, r.message, r.tone, r.ctx));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const proof = typeof body.proof === 'string' ? body.proof : '';
    if (body.decision !== r.claims.decision || !deps.links.checkFormProof(token, proof)) {
      return page(res, 400, messagePage('Use the button on the page', 'Open the link from your email and confirm with the button on that page.', 'warn', r.ctx));
    }
    const comment = typeof body.comment === 'string' ? body.comment.trim().slice(0, 2000) : '';
    if (r.claims.decision === 'reject' && comment === '') {
      return page(res, 400, decisionForm(r.ctx, { proof, error: 'Please say why you reject it; the requester needs to know.' }));
    }
    const confirmNoChange = body.confirmNoChange === 'yes';
    try {
      const { hotfix, outcome } = await decideOn(deps, r.hotfix.id, {
        actor: r.claims.recipient,
        decision: r.claims.decision,
        comment,
        via: 'email',
        build: r.claims.build,
        linkId: r.claims.linkId,
        confirmNoChange,
      });
      const ctx = contextOf(deps, hotfix, r.claims, token);
      if (outcome.kind === 'promoted') return page(res, 200, messagePage('Promoted', `Thank you. QA is being torn down and build #${r.claims.build} is going to production.`, 'ok', ctx));
      if (outcome.kind === 'recorded') {
        const waiting = ctx.approvals.groups.length > 1 ? ` Still needed: ${ctx.approvals.groups.filter((g) => g.includes('waiting')).join('; ')}.` : ` Promotion starts when ${outcome.required} different people have approved.`;
        return page(res, 200, messagePage('Approval recorded', `${outcome.approvals} of ${outcome.required} approvals.${waiting}`, 'ok', ctx));
      }
      return page(res, 200, messagePage('Rejected', 'Thank you. QA is being torn down and the requester has been told why.', 'ok', ctx));
    } catch (err) {
      if (err instanceof DecisionRefused && err.reason === 'no_change') {
        // Looked at only now (no email had yet): the page is shown again, with what it must say.
        const ctx = contextOf(deps, await deps.store.get(r.hotfix.id).then((h) => h ?? r.hotfix), r.claims, token);
        if (ctx.noChange?.refused) return page(res, 409, decisionForm(ctx, { proof }));
        return page(res, 400, decisionForm(ctx, { proof, error: 'Tick the box to confirm that you promote a build without changes.' }));
      }
      if (err instanceof DecisionRefused) {
        // Someone decided between this page opening and its submit (a Slack click, another
        // link): said as the page would have said it on opening, in words and the tester's zone.
        const now = (await deps.store.get(r.hotfix.id)) ?? r.hotfix;
        const title = err.reason === 'used' ? 'This link was already used' : 'Nothing changed';
        return page(res, 409, messagePage(title, refusalInWords(now, r.claims, deps.settings.timeZone, 'link'), 'info', contextOf(deps, now, r.claims, token)));
      }
      if (err instanceof ForbiddenError) return page(res, 403, messagePage('Not allowed', err.message, 'bad', r.ctx));
      if (err instanceof FrozenError) return page(res, 409, messagePage('Production is frozen', err.message, 'warn', r.ctx));
      if (err instanceof NotFoundError) return page(res, 404, messagePage('Unknown hotfix', err.message, 'bad'));
      throw err;
    }
  };
}
