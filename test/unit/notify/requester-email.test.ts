import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/approvals.js';
import { deployRollback } from '../../../src/domain/deploy.js';
import { toPublicView } from '../../../src/domain/hotfix.js';
import { applyReport } from '../../../src/domain/reports.js';
import { renderRequesterEmail } from '../../../src/notify/requester-email.js';
import { at, awaitingApproval, BUILD_1, building, COMMIT_1, ctx, deployQueued, DEPLOY_NUMBER, POLICY, report } from '../domain/builders.js';

const API = 'https://hotfix.example.com/api/v1/hotfixes/HF-2026-11-001';
const HOSTILE = '<script>alert(1)</script>';

describe('emails to the requester', () => {
  it('build failed: says which build, links its log, subject on one line', () => {
    const h = building({ title: `Fix\r\nBcc: victim@evil.com ${HOSTILE}` });
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'FAILURE', commit: COMMIT_1, url: 'https://jenkins.example.com/job/b/7/' }), POLICY, ctx('jenkins', at(10)));
    const mail = renderRequesterEmail(toPublicView(h), 'build-failed', {}, API);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toMatch(/^\[HF-2026-11-001\] payments: .* — build failed$/);
    expect(mail.text).toContain('Build #7');
    expect(mail.text).toContain('FAILURE');
    expect(mail.text).toContain('https://jenkins.example.com/job/b/7/');
    expect(mail.html).toContain('href="https://jenkins.example.com/job/b/7/"');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(API);
  });

  it('rejected: names who and why, escaped in HTML', () => {
    const h = awaitingApproval();
    decide(h, { actor: 'qa1@example.com', decision: 'reject', comment: `totals off ${HOSTILE}`, via: 'email', build: BUILD_1, linkId: null }, POLICY, ctx('qa1@example.com', at(20)));
    const mail = renderRequesterEmail(toPublicView(h), 'rejected', {}, API);
    expect(mail.subject).toContain('rejected in QA');
    expect(mail.text).toContain('qa1@example.com');
    expect(mail.text).toContain(`totals off ${HOSTILE}`);
    expect(mail.html).toContain('totals off &lt;script&gt;');
    expect(mail.html).not.toContain('<script>');
  });

  it('stale base: names the new production tag', () => {
    const mail = renderRequesterEmail(toPublicView(building()), 'stale-base', { tag: 'prod-42' }, API);
    expect(mail.subject).toContain('rebuilding on prod-42');
    expect(mail.text).toContain('prod-42');
  });

  it('rolled back: says why and what runs now, escaped in HTML', () => {
    const h = deployQueued({ title: HOSTILE });
    applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(30)));
    deployRollback(h, { tag: 'prod-41', commit: 'p'.repeat(40), artifact: { version: '1.4.2', url: 'https://a/1.4.2' } }, POLICY, ctx('system', at(31)));
    applyReport(h, report({ stage: 'deploy', number: 13, status: 'SUCCESS', commit: 'p'.repeat(40) }), POLICY, ctx('jenkins', at(35)));
    const mail = renderRequesterEmail(toPublicView(h), 'rolled-back', {}, API);
    expect(mail.subject).toContain('rolled back');
    expect(mail.text).toContain('prod-41 (1.4.2)');
    expect(mail.text).toMatch(/FAILURE/);
    expect(mail.html).not.toContain('<script>');
  });
});
