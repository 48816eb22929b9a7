// The tester's pages as plain HTML from plain records: when the status page reloads itself,
// how times read, and what a build the service will not promote shows instead of a form.

import { describe, expect, it } from 'vitest';
import { toPublicView, type Hotfix } from '../../../src/domain/hotfix.js';
import { decisionForm, type ActionContext } from '../../../src/http/pages/action-page.js';
import { inWords } from '../../../src/http/pages/layout.js';
import { refreshFor, statusPage } from '../../../src/http/pages/status-page.js';
import { awaitingApproval, awaitingBackmerge, BUILD_1, deploying } from '../domain/builders.js';

function actionContext(h: Hotfix, more: Partial<ActionContext> = {}): ActionContext {
  return {
    hotfix: toPublicView(h),
    decision: 'promote',
    recipient: 'qa@example.com',
    build: BUILD_1,
    approvals: { count: 0, required: 1, groups: [] },
    freeze: null,
    noChange: null,
    statusUrl: 'https://hotfix.example.com/actions/v1.x.y/status',
    timeZone: 'UTC',
    ...more,
  };
}

describe('the status page', () => {
  it('reloads itself while the hotfix can change for the tester, slower when a person is needed, and stops at the end', () => {
    expect(refreshFor('deploying')).toBe(5);
    expect(refreshFor('verifying')).toBe(5);
    expect(refreshFor('needs_attention')).toBe(30);
    for (const end of ['awaiting_backmerge', 'completed', 'rolled_back', 'cancelled', 'rejected', 'build_failed'] as const) expect(refreshFor(end)).toBeNull();
    expect(statusPage(toPublicView(deploying()), 'UTC', new Date())).toContain('<meta http-equiv="refresh" content="5">');
    const done = statusPage(toPublicView(awaitingBackmerge()), 'UTC', new Date());
    expect(done).not.toContain('http-equiv="refresh"');
    expect(done).toContain('the page no longer updates');
    // People with an account can go on to the console's page of the same hotfix.
    expect(done).toMatch(/<a href="\/console\/hotfixes\/HF-[\d-]+">Open it in the web console<\/a>/);
  });

  it('escapes what people typed', () => {
    const h = deploying();
    h.title = '<script>alert(1)</script>';
    expect(statusPage(toPublicView(h), 'UTC', new Date())).not.toContain('<script>alert(1)</script>');
  });
});

describe('times on the pages', () => {
  it('read in words, in the configured time zone, with its name', () => {
    expect(inWords('2026-12-04T05:06:07.000Z', 'Europe/Berlin')).toBe('Fri, 4 Dec 2026, 06:06 CET');
    expect(inWords('2026-07-04T05:06:07.000Z', 'Europe/Berlin')).toBe('Sat, 4 Jul 2026, 07:06 CEST');
    expect(inWords('2026-12-04T05:06:07.000Z', 'UTC')).toBe('Fri, 4 Dec 2026, 05:06 UTC');
  });
});

describe('the confirm page of a build without changes', () => {
  it('asks for a tick before promoting', () => {
    const html = decisionForm(actionContext(awaitingApproval(), { noChange: { baseTag: 'prod-41', refused: false } }), { proof: 'p' });
    expect(html).toContain('contains no change from production (prod-41)');
    expect(html).toMatch(/<input type="checkbox" id="confirmNoChange" name="confirmNoChange" value="yes" required>/);
  });

  it('offers no promote form where the service refuses such builds', () => {
    const html = decisionForm(actionContext(awaitingApproval(), { noChange: { baseTag: 'prod-41', refused: true } }), { proof: 'p' });
    expect(html).toContain('Nothing to promote');
    expect(html).not.toContain('<form');
  });

  it('a reject link on such a build is a normal reject form', () => {
    const html = decisionForm(actionContext(awaitingApproval(), { decision: 'reject', noChange: { baseTag: 'prod-41', refused: true } }), { proof: 'p' });
    expect(html).toContain('<form');
    expect(html).not.toContain('confirmNoChange');
  });
});
