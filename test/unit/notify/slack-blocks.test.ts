import { describe, expect, it } from 'vitest';
import { decidedBlocks, qaReadyBlocks, rejectModal } from '../../../src/notify/slack-blocks.js';

describe('Slack decision blocks', () => {
  it('Promote confirms what is deployed; Reject carries its own value', () => {
    const [section, actions] = qaReadyBlocks('*HF-1* is in QA', { build: 7, promote: 'p-token', reject: 'r-token', noChange: false });
    expect(section).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*HF-1* is in QA' } });
    expect(actions).toMatchObject({
      type: 'actions',
      elements: [
        { action_id: 'hotfix_promote', value: 'p-token', style: 'primary', confirm: { text: { text: 'QA is torn down and build #7, as tested, is deployed to production.' } } },
        { action_id: 'hotfix_reject', value: 'r-token', style: 'danger' },
      ],
    });
  });

  it('a build without changes says so in the confirm dialog, or has no Promote at all when refused', () => {
    const confirm = JSON.stringify(qaReadyBlocks('t', { build: 3, promote: 'p', reject: 'r', noChange: true }));
    expect(confirm).toContain('Build #3 contains *no change* from production. Promote it anyway?');
    const refused = qaReadyBlocks('t', { build: 3, promote: null, reject: 'r', noChange: true });
    expect(JSON.stringify(refused)).not.toContain('hotfix_promote');
  });

  it('once decided, the buttons are gone; the modal requires a reason', () => {
    expect(JSON.stringify(decidedBlocks('t', 'Promoted by A'))).not.toContain('button');
    const modal = rejectModal('HF-<1>', 2, '{"v":1}');
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'hotfix_reject_reason', private_metadata: '{"v":1}' });
    expect(JSON.stringify(modal.blocks)).toContain('HF-&lt;1&gt;');
    expect(JSON.stringify(modal.blocks)).toContain('"block_id":"reason"');
  });
});
