import { describe, expect, it } from 'vitest';
import { escapeHtml, headerLine, link } from '../../../src/notify/html.js';
import { qaEmailSubject, renderQaEmail, type QaEmailModel } from '../../../src/notify/qa-email.js';

const PROMOTE = 'https://hotfix.example.com/actions/v1.cHJvbW90ZQ.c2ln';
const REJECT = 'https://hotfix.example.com/actions/v1.cmVqZWN0.c2ln';

function model(over: Partial<QaEmailModel> = {}, title = 'Fix rounding'): QaEmailModel {
  return {
    hotfix: { id: 'HF-2026-11-001', service: 'payments', title, requestedBy: 'dev@example.com', branch: 'hotfix/HF-2026-11-001-fix-rounding', baseTag: 'prod-41' },
    qa: { env: 'qa-hf-2026-11-001', url: 'https://qa-hf-2026-11-001.example.com', expiresAt: '2026-11-06T10:15:00.000Z' },
    build: { number: 7, url: 'https://jenkins.example.com/job/payments-build/7/', artifactVersion: '1.4.3' },
    commits: [
      { sha: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0', subject: 'Round half to even', author: 'Dev One' },
      { sha: 'ffffeeeeddddccccbbbbaaaa9999888877776666', subject: 'Add test for EUR', author: 'Dev Two' },
    ],
    files: [
      { status: 'M', path: 'src/money/round.ts' },
      { status: 'A', path: 'test/money/round.test.ts' },
    ],
    links: { promote: PROMOTE, reject: REJECT },
    resend: false,
    ...over,
  };
}

describe('the QA email', () => {
  it('has a subject with the ID, service and title', () => {
    expect(renderQaEmail(model()).subject).toBe('[HF-2026-11-001] payments: Fix rounding — ready for QA');
    expect(qaEmailSubject(model({ resend: true }))).toMatch(/^\[resent\] \[HF-2026-11-001\]/);
  });

  it('cannot be used for header injection through the title', () => {
    const { subject } = renderQaEmail(model({}, 'Fix\r\nBcc: victim@evil.com\r\n\r\n<b>body</b>'));
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toContain('Fix Bcc: victim@evil.com <b>body</b>');
    expect(renderQaEmail(model({}, 'x\u0000y\u000bz')).subject).toBe('[HF-2026-11-001] payments: x y z — ready for QA');
  });

  it('caps a very long subject', () => {
    expect(renderQaEmail(model({}, 'a'.repeat(1000))).subject.length).toBeLessThanOrEqual(250);
  });

  it('says how many more there are when the lists were cut short', () => {
    const { text, html } = renderQaEmail(model({ totals: { commits: 72, files: 2 } }));
    expect(text).toContain('...and 70 more');
    expect(html).toContain('…and 70 more');
    expect(text.match(/and \d+ more/g)).toHaveLength(1);
  });

  it('lists the commits and changed files in both parts', () => {
    const { text, html } = renderQaEmail(model());
    for (const part of [text, html]) {
      expect(part).toContain('a1b2c3d4e5f6');
      expect(part).toContain('Round half to even');
      expect(part).toContain('Dev Two');
      expect(part).toContain('src/money/round.ts');
      expect(part).toContain('test/money/round.test.ts');
    }
    expect(text).not.toContain('a1b2c3d4e5f6a7b8'); // short shas
  });

  it('carries the QA URL, build, requester and both links in both parts', () => {
    const { text, html } = renderQaEmail(model());
    for (const part of [text, html]) {
      expect(part).toContain('https://qa-hf-2026-11-001.example.com');
      expect(part).toContain('https://jenkins.example.com/job/payments-build/7/');
      expect(part).toContain('dev@example.com');
      expect(part).toContain(PROMOTE);
      expect(part).toContain(REJECT);
    }
    expect(html).toContain(`href="${PROMOTE}"`);
    expect(html).toContain(`href="${REJECT}"`);
    expect(text).toContain('2026-11-06T10:15:00.000Z');
  });

  it('escapes everything a person typed in the HTML part', () => {
    const hostile = '<script>alert(1)</script>';
    const { html } = renderQaEmail(
      model(
        {
          commits: [{ sha: 'abc<def>0123456789', subject: `<img src=x onerror=alert(1)> ${hostile}`, author: '"><script>x</script>' }],
          files: [{ status: '<M>', path: `a/${hostile}.ts` }],
          hotfix: { id: 'HF-2026-11-001', service: 'payments', title: hostile, requestedBy: `<b>${hostile}</b>`, branch: 'hotfix/x', baseTag: '<prod>' },
        },
      ),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('never turns a non-http URL into a link', () => {
    const { html } = renderQaEmail(model({ qa: { env: 'qa', url: 'javascript:alert(1)', expiresAt: null }, build: { number: 7, url: 'data:text/html,<script>x</script>', artifactVersion: '1' } }));
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect(html).not.toContain('<script>');
  });

  it('says so when there are no commits or files, and shortens long lists', () => {
    const empty = renderQaEmail(model({ commits: [], files: [] }));
    expect(empty.text).toContain('(none)');
    expect(empty.html).toContain('None.');
    const many = Array.from({ length: 60 }, (_, i) => ({ status: 'M', path: `f${i}.ts` }));
    const long = renderQaEmail(model({ files: many }));
    expect(long.text).toContain('...and 10 more');
    expect(long.html).toContain('…and 10 more');
    expect(long.text).not.toContain('f55.ts');
  });

  it('is a complete HTML document readable on a phone', () => {
    const { html } = renderQaEmail(model());
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
    expect(html).toContain('name="viewport"');
    expect(html.trimEnd()).toMatch(/<\/html>$/);
  });
});

describe('html helpers', () => {
  it('escape the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('make links only of http(s) URLs, and escape them', () => {
    expect(link('https://a.example/?x=1&y="2"')).toBe('<a href="https://a.example/?x=1&amp;y=&quot;2&quot;">https://a.example/?x=1&amp;y=&quot;2&quot;</a>');
    expect(link('javascript:alert(1)')).toBe('javascript:alert(1)');
    expect(link(null)).toBe('—');
  });

  it('flatten header lines', () => {
    expect(headerLine('a\r\nb\tc')).toBe('a b c');
    expect(headerLine('x'.repeat(10), 5)).toBe('xxxx…');
  });
});

describe('the QA email of a build without changes', () => {
  it('says so plainly, and still offers promote (confirmed on the page)', () => {
    const mail = renderQaEmail(model({ commits: [], files: [], noChange: { baseTag: 'prod-41', refused: false } }));
    expect(mail.text).toContain('NO CHANGE: This build contains no change from production (prod-41)');
    expect(mail.text).toContain('needs an explicit confirmation on the page');
    expect(mail.text).toContain(`Promote to production: ${PROMOTE}`);
    expect(mail.html).toContain('<strong>No change:</strong>');
  });

  it('offers no promote link where the service refuses such builds', () => {
    const mail = renderQaEmail(model({ commits: [], files: [], links: { promote: null, reject: REJECT }, noChange: { baseTag: 'prod-41', refused: true } }));
    expect(mail.text).toContain('does not promote such builds');
    expect(mail.text).not.toContain('Promote to production:');
    expect(mail.html).not.toContain(PROMOTE);
    expect(mail.text).toContain(`Reject:                ${REJECT}`);
  });
});
