// POST /slack/actions: Slack's interactivity endpoint (CONTRACT.md §9). The signature is checked
// over the raw bytes first; then the click is queued and Slack is answered at once (it waits
// 3 seconds at most). A reject first opens a modal asking why — Slack's trigger id lasts only
// those 3 seconds, so that one call is made here, after the answer is sent.

import type { RequestHandler } from 'express';
import { z } from 'zod';
import { refusalOf } from '../domain/approvals.js';
import type { ChatAction, ChatActionQueue } from '../ports/chat-interactions.js';
import { PROMOTE_ACTION, REASON_BLOCK, REASON_INPUT, REJECT_ACTION, REJECT_MODAL, rejectModal } from '../notify/slack-blocks.js';
import type { Deps } from '../workflows/deps.js';
import { isSlackButton } from '../workflows/chat-action.js';
import { sendError } from './errors.js';
import { verifySlackSignature } from './slack-signature.js';

const user = z.object({ id: z.string().min(1).max(40) });

const blockActions = z.object({
  type: z.literal('block_actions'),
  user,
  trigger_id: z.string().max(200).optional(),
  container: z.object({ channel_id: z.string().max(40).optional(), message_ts: z.string().max(40).optional(), thread_ts: z.string().max(40).optional() }).passthrough(),
  channel: z.object({ id: z.string().max(40) }).passthrough().optional(),
  message: z.object({ ts: z.string().max(40), thread_ts: z.string().max(40).optional() }).passthrough().optional(),
  actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional(), action_ts: z.string().max(40) }).passthrough()).min(1),
});

const viewSubmission = z.object({
  type: z.literal('view_submission'),
  user,
  view: z.object({
    id: z.string().max(40),
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullable().optional() }).passthrough())) }),
  }).passthrough(),
});

/** What the modal carries from the click to its submission. */
const modalMetadata = z.object({ value: z.string().max(2000), channel: z.string().max(40), messageTs: z.string().max(40), threadTs: z.string().max(40).nullable() });

/** BullMQ reserves ':' in job ids. */
const jobKey = (...parts: string[]) => parts.join('|').replace(/:/g, '_');

export interface SlackActionsOptions {
  signingSecrets: readonly string[];
  queue: ChatActionQueue;
}

export function slackActions(deps: Deps, options: SlackActionsOptions): RequestHandler {
  return async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signed = verifySlackSignature(options.signingSecrets, raw, req.get('x-slack-request-timestamp'), req.get('x-slack-signature'), deps.clock.now());
    if (!signed.ok) return sendError(res, 401, 'bad_signature', signed.why);
    let payload: unknown;
    try {
      payload = JSON.parse(new URLSearchParams(raw.toString('utf8')).get('payload') ?? '');
    } catch {
      return sendError(res, 400, 'invalid_request', 'the body has no JSON `payload` field');
    }
    const type = (payload as { type?: unknown } | null)?.type;
    if (type === 'view_submission') {
      const v = viewSubmission.safeParse(payload);
      if (!v.success || v.data.view.callback_id !== REJECT_MODAL) return res.status(200).end();
      const meta = modalMetadata.safeParse(safeJson(v.data.view.private_metadata));
      if (!meta.success) return res.status(200).end();
      const reason = v.data.view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value?.trim() ?? '';
      if (reason === '') return res.status(200).json({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Say why you reject it; the requester needs to know.' } });
      const m = meta.data;
      await options.queue.submit(jobKey('view', v.data.view.id, v.data.user.id), { decision: 'reject', value: m.value, userId: v.data.user.id, channel: m.channel, messageTs: m.messageTs, threadTs: m.threadTs, reason: reason.slice(0, 2000) });
      return res.status(200).end();
    }
    if (type !== 'block_actions') return res.status(200).end();
    const b = blockActions.safeParse(payload);
    if (!b.success) return sendError(res, 400, 'invalid_request', 'the block_actions payload lacks its user, container or actions');
    const p = b.data;
    const act = p.actions.find((x) => x.action_id === PROMOTE_ACTION || x.action_id === REJECT_ACTION);
    const channel = p.container.channel_id ?? p.channel?.id;
    const messageTs = p.container.message_ts ?? p.message?.ts;
    if (!act?.value || !channel || !messageTs) return res.status(200).end();
    const action: ChatAction = {
      decision: act.action_id === PROMOTE_ACTION ? 'promote' : 'reject',
      value: act.value,
      userId: p.user.id,
      channel,
      messageTs,
      threadTs: p.container.thread_ts ?? p.message?.thread_ts ?? null,
      reason: null,
    };
    const id = jobKey('click', p.user.id, act.action_id, act.action_ts);
    const modal = action.decision === 'reject' && p.trigger_id ? await rejectModalFor(deps, action) : null;
    // Without a modal to open (a promote, or a reject the button can no longer make), the
    // worker answers the click; with one, the submission comes back here.
    if (!modal) await options.queue.submit(id, action);
    res.status(200).end();
    if (modal && p.trigger_id) {
      await deps.interactions.openModal(p.trigger_id, modal).catch((err: unknown) => {
        deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not open the reject modal');
      });
    }
  };
}

/** The modal, when the button can still reject; null when it would only be refused. */
async function rejectModalFor(deps: Deps, a: ChatAction) {
  const check = deps.links.verify(a.value, deps.clock.now());
  if (!check.ok || !isSlackButton(check.claims.recipient) || check.claims.decision !== 'reject') return null;
  const h = await deps.store.get(check.claims.hotfixId);
  if (!h || refusalOf(h, null, check.claims.build)) return null;
  const metadata = JSON.stringify({ value: a.value, channel: a.channel, messageTs: a.messageTs, threadTs: a.threadTs });
  return rejectModal(h.id, check.claims.build, metadata);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
