// Block Kit for decisions in Slack: the QA-ready message's Promote and Reject buttons (each
// value a signed token bound to the hotfix, decision and build, like an email link), the reject
// modal, and the message as it reads once someone has decided.

import type { KnownBlock, View } from '@slack/types';
import { slackEscape } from './slack-messages.js';

export const PROMOTE_ACTION = 'hotfix_promote';
export const REJECT_ACTION = 'hotfix_reject';
export const REJECT_MODAL = 'hotfix_reject_reason';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason_input';

export interface DecisionButtons {
  build: number;
  /** Null when the service refuses to promote this build (it has no change from production). */
  promote: string | null;
  reject: string;
  /** The build has no change from production: the confirm dialog says so. */
  noChange: boolean;
}

/** The QA-ready message: its text, then the buttons. */
export function qaReadyBlocks(text: string, b: DecisionButtons): KnownBlock[] {
  const promote = b.promote
    ? [
        {
          type: 'button' as const,
          action_id: PROMOTE_ACTION,
          text: { type: 'plain_text' as const, text: 'Promote' },
          style: 'primary' as const,
          value: b.promote,
          confirm: {
            title: { type: 'plain_text' as const, text: 'Promote to production?' },
            text: {
              type: 'mrkdwn' as const,
              text: b.noChange
                ? `Build #${b.build} contains *no change* from production. Promote it anyway? QA is torn down and this exact build is deployed.`
                : `QA is torn down and build #${b.build}, as tested, is deployed to production.`,
            },
            confirm: { type: 'plain_text' as const, text: 'Promote' },
            deny: { type: 'plain_text' as const, text: 'Cancel' },
          },
        },
      ]
    : [];
  return [
    { type: 'section', text: { type: 'mrkdwn', text } },
    {
      type: 'actions',
      block_id: `hotfix_decision_${b.build}`,
      elements: [...promote, { type: 'button', action_id: REJECT_ACTION, text: { type: 'plain_text', text: 'Reject…' }, style: 'danger', value: b.reject }],
    },
  ];
}

/** The message once decided: its text and the outcome, without buttons. */
export function decidedBlocks(text: string, outcome: string): KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: outcome }] },
  ];
}

/** The buttons stay (more approvals are needed); a line says who approved so far. */
export function pendingBlocks(blocks: readonly KnownBlock[], progress: string): KnownBlock[] {
  const kept = blocks.filter((b) => b.type !== 'context');
  return [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: progress }] }];
}

/** The modal asking why (the confirmation of a reject). `metadata` comes back on submission. */
export function rejectModal(hotfixId: string, build: number, metadata: string): View {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL,
    private_metadata: metadata,
    title: { type: 'plain_text', text: 'Reject hotfix' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Reject *${slackEscape(hotfixId)}* build #${build}? QA is torn down and the requester is told why.` } },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Why? The requester needs to know.' },
        element: { type: 'plain_text_input', action_id: REASON_INPUT, multiline: true, max_length: 2000 },
      },
    ],
  };
}
