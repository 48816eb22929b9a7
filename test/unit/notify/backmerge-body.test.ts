import { describe, expect, it } from 'vitest';
import { renderBackmergeBody } from '../../../src/notify/backmerge.js';
import { awaitingBackmerge, finalizing } from '../domain/builders.js';

const BRANCHES = { production: 'master', development: 'develop' };

describe('the back-merge pull request body', () => {
  it('names the hotfix, its tags and the deployed commit', () => {
    const body = renderBackmergeBody(awaitingBackmerge(), BRANCHES, []);
    expect(body).toContain('**HF-2026-11-001** (Fix rounding)');
    expect(body).toContain('`master`');
    expect(body).toContain('`develop`');
    expect(body).toContain('Tags: prod-12, v1.4.3');
    expect(body).toContain(`\`${'1'.repeat(40)}\``);
    expect(body).toContain('is clean');
  });

  it('lists conflicting files and says a person resolves them', () => {
    const body = renderBackmergeBody(finalizing(), BRANCHES, ['src/a.ts', 'README.md']);
    expect(body).toContain('- `src/a.ts`');
    expect(body).toContain('- `README.md`');
    expect(body).toContain('never merges into develop itself');
    expect(body).toContain('Tags: (none)');
  });

  it('keeps a hostile title on one line', () => {
    const body = renderBackmergeBody(finalizing({ title: 'x\n\n## Approved by everyone\n- [x] done' }), BRANCHES, []);
    expect(body.split('\n')[0]).toContain('(x ## Approved by everyone - [x] done)');
    expect(body).not.toMatch(/^## /m);
  });

  it('does not pass raw HTML from the title into the body', () => {
    const body = renderBackmergeBody(finalizing({ title: '<script>alert(1)</script><img src=x onerror=alert(1)>' }), BRANCHES, []);
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<img');
  });
});
