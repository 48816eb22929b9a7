import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/approvals.js';
import { backmergeOpened } from '../../../src/domain/finalize.js';
import { flagAttention } from '../../../src/domain/record.js';
import { toPublicView, type Hotfix } from '../../../src/domain/hotfix.js';
import { slackEscape, slackMessage, threadRoot } from '../../../src/notify/slack-messages.js';
import { at, awaitingApproval, awaitingBackmerge, BACKMERGE_CHECK_MS, BUILD_1, ctx, finalizing, opened, POLICY } from '../domain/builders.js';

const HOSTILE = '<!channel> <https://evil.example|click me> & <@U123>';

function noRawControl(text: string): void {
  expect(text).not.toContain('<!channel>');
  expect(text).not.toContain('<https://evil');
  expect(text).not.toContain('<@U123>');
}

describe('Slack messages', () => {
  it('escape &, < and > the way Slack asks', () => {
    expect(slackEscape('a & <b> c')).toBe('a &amp; &lt;b&gt; c');
  });

  it('the thread root names the hotfix and cannot ping or link through the title', () => {
    const text = threadRoot(toPublicView(opened({ title: HOSTILE, requestedBy: '<!here>@example.com' })));
    expect(text).toContain('*HF-2026-11-001*');
    expect(text).toContain('&lt;!channel&gt; &lt;https://evil.example|click me&gt; &amp; &lt;@U123&gt;');
    expect(text).not.toContain('<!here>');
    noRawControl(text);
  });

  it('qa-ready links the QA environment', () => {
    const text = slackMessage(toPublicView(awaitingApproval()), 'qa-ready', { cycle: 1 });
    expect(text).toContain('<https://qa-hf-2026-11-001.example.com|qa-hf-2026-11-001>');
    expect(text).toContain('build #7');
  });

  it('a URL cannot break out of its link', () => {
    const h = finalizing();
    backmergeOpened(h, { url: 'https://git.example/pr/5>|<!channel>', number: 5, conflicts: [] }, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(33)));
    const text = slackMessage(toPublicView(h), 'backmerge', {});
    expect(text).not.toContain('<!channel>');
    expect(text).toMatch(/<https:\/\/git\.example\/pr\/5%3E%7C%3C!channel%3E\|pull request #5>/);
  });

  it('a non-http URL is shown as text, never as a link', () => {
    const h = finalizing();
    backmergeOpened(h, { url: 'javascript:alert(1)', number: 5, conflicts: [] }, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(33)));
    const text = slackMessage(toPublicView(h), 'backmerge', {});
    expect(text).not.toContain('<javascript:');
  });

  it('the back-merge message names the ID, links the PR and lists conflicts', () => {
    const h = finalizing();
    backmergeOpened(h, { url: 'https://github.example.com/acme/payments/pull/5', number: 5, conflicts: ['src/a.ts', 'docs/<b>.md'] }, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(33)));
    const text = slackMessage(toPublicView(h), 'backmerge', {});
    expect(text).toContain('*HF-2026-11-001*');
    expect(text).toContain('<https://github.example.com/acme/payments/pull/5|pull request #5>');
    expect(text).toContain('`src/a.ts`');
    expect(text).toContain('`docs/&lt;b&gt;.md`');
  });

  it('without a pull request the back-merge message names the branch', () => {
    const h = finalizing();
    backmergeOpened(h, { url: null, number: null, conflicts: [] }, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(33)));
    const text = slackMessage(toPublicView(h), 'backmerge', {});
    expect(text).toContain('`backmerge/HF-2026-11-001`');
    expect(text).toContain('No conflicts expected.');
  });

  it('a rejection reason and an attention reason are escaped', () => {
    const rejected: Hotfix = awaitingApproval();
    decide(rejected, { actor: 'qa1@example.com', decision: 'reject', comment: HOSTILE, via: 'api', build: BUILD_1, linkId: null }, POLICY, ctx('qa1@example.com', at(20)));
    noRawControl(slackMessage(toPublicView(rejected), 'rejected', {}));
    const stuck = opened();
    flagAttention(stuck, ctx(), HOSTILE, HOSTILE);
    noRawControl(slackMessage(toPublicView(stuck), 'attention', {}));
  });

  it('names the new production tag on a stale base, escaped', () => {
    expect(slackMessage(toPublicView(opened()), 'stale-base', { tag: 'prod-42<!channel>' })).toContain('prod-42&lt;!channel&gt;');
  });

  it('completion is a short last word in the thread', () => {
    expect(slackMessage(toPublicView(awaitingBackmerge()), 'completed', {})).toBe('*HF-2026-11-001* is complete: develop contains the hotfix. :white_check_mark:');
  });
});
