/**
 * Slack's side of interactivity, for the simulator: the `block_actions` payload a button click
 * sends and the `view_submission` a modal's submit sends, form-encoded as `payload=<json>` and
 * signed with the app's signing secret (v0), POSTed to the app's interactivity URL.
 */
import { slackSignatureHeaders } from '../../http/slack-signature.js';

export interface SlackUser {
  id: string;
  name: string;
  email: string;
}

export interface InteractivityTarget {
  url: string;
  signingSecret: string;
}

export interface PostedPayload {
  status: number;
  body: string;
  /** The exact request, so a test can replay it byte for byte. */
  request: { body: string; headers: Record<string, string> };
}

export const TEAM = { id: 'T0SANDBOX', domain: 'sandbox' };
export const APP_ID = 'A0HOTFIX';

export interface Button {
  action_id: string;
  block_id: string;
  value?: string;
  text?: { text?: string };
  style?: string;
}

/** The button with this action id among a message's blocks. */
export function findButton(blocks: readonly unknown[] | undefined, actionId: string): Button | undefined {
  for (const block of blocks ?? []) {
    const b = block as { type?: string; block_id?: string; elements?: Array<Record<string, unknown>> };
    if (b.type !== 'actions') continue;
    const el = b.elements?.find((e) => e.type === 'button' && e.action_id === actionId);
    if (el) return { ...(el as unknown as Button), block_id: b.block_id ?? '' };
  }
  return undefined;
}

export function blockActionsPayload(o: {
  user: SlackUser;
  channel: { id: string; name: string };
  message: { ts: string; thread_ts?: string; text?: string; blocks?: readonly unknown[] };
  button: Button;
  triggerId: string;
  responseUrl: string;
  actionTs: string;
}): object {
  return {
    type: 'block_actions',
    user: { id: o.user.id, username: o.user.name, name: o.user.name, team_id: TEAM.id },
    api_app_id: APP_ID,
    container: { type: 'message', message_ts: o.message.ts, channel_id: o.channel.id, is_ephemeral: false, ...(o.message.thread_ts ? { thread_ts: o.message.thread_ts } : {}) },
    trigger_id: o.triggerId,
    team: TEAM,
    channel: o.channel,
    message: { type: 'message', user: 'U0HOTFIXBOT', ts: o.message.ts, text: o.message.text ?? '', blocks: o.message.blocks ?? [], ...(o.message.thread_ts ? { thread_ts: o.message.thread_ts } : {}) },
    response_url: o.responseUrl,
    actions: [{ type: 'button', action_id: o.button.action_id, block_id: o.button.block_id, text: { type: 'plain_text', text: o.button.text?.text ?? '' }, value: o.button.value, ...(o.button.style ? { style: o.button.style } : {}), action_ts: o.actionTs }],
  };
}

export function viewSubmissionPayload(o: { user: SlackUser; view: { id: string; callback_id: string; private_metadata: string }; values: Record<string, Record<string, string>>; triggerId: string }): object {
  const values = Object.fromEntries(Object.entries(o.values).map(([block, inputs]) => [block, Object.fromEntries(Object.entries(inputs).map(([action, value]) => [action, { type: 'plain_text_input', value }]))]));
  return {
    type: 'view_submission',
    team: TEAM,
    user: { id: o.user.id, username: o.user.name, name: o.user.name, team_id: TEAM.id },
    api_app_id: APP_ID,
    trigger_id: o.triggerId,
    view: { id: o.view.id, type: 'modal', callback_id: o.view.callback_id, private_metadata: o.view.private_metadata, state: { values }, app_id: APP_ID, team_id: TEAM.id },
  };
}

/** POSTs a payload the way Slack does: form-encoded, signed, with Slack's user agent. */
export async function postSigned(target: InteractivityTarget, payload: object, nowSeconds = Math.floor(Date.now() / 1000)): Promise<PostedPayload> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...slackSignatureHeaders(target.signingSecret, body, nowSeconds) };
  return replay(target.url, { body, headers });
}

/** Sends a recorded request again, unchanged (a replay attack, or Slack retrying). */
export async function replay(url: string, request: PostedPayload['request']): Promise<PostedPayload> {
  const res = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  return { status: res.status, body: await res.text(), request };
}
