// assertBranchName answers plain names itself, without a git process. This checks that shortcut
// against git: every name it lets through, git's own check-ref-format --branch takes too.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import { assertBranchName } from '../../../src/adapters/git/refs.js';
import { gitRunner, type RunGit } from '../../../src/adapters/git/runner.js';

const gitTakes = (name: string) => spawnSync('git', ['check-ref-format', '--branch', name]).status === 0;

/** The service's own git runner, counting what it is asked. */
function countingGit(): { run: RunGit; asked: string[] } {
  const asked: string[] = [];
  const git = gitRunner(process.cwd(), { author: { name: 'Hotfix Bot', email: 'bot@example.com' }, timeoutMs: 10_000, env: process.env });
  return {
    asked,
    run: (args) => {
      asked.push(args.join(' '));
      return git(args);
    },
  };
}

// A small deterministic generator (no flaky seeds): names from the characters the shortcut knows.
function* names(count: number): Generator<string> {
  const alphabet = 'aZ09_-/';
  let x = 12345;
  for (let i = 0; i < count; i++) {
    let name = '';
    const length = 1 + (i % 9);
    for (let j = 0; j < length; j++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      name += alphabet[x % alphabet.length];
    }
    yield name;
  }
}

describe('assertBranchName', () => {
  it('answers plain names itself, and git takes every one of them', async () => {
    const { run, asked } = countingGit();
    await assertBranchName(run, 'hotfix/HF-2026-12-001-fix-the-rounding');
    expect(asked).toEqual([]);

    let plain = 0;
    for (const name of names(250)) {
      const before = asked.length;
      const verdict = await assertBranchName(run, name).then(() => 'ok', (err: unknown) => (err instanceof ValidationError ? 'refused' : 'error'));
      expect(verdict, JSON.stringify(name)).toBe(gitTakes(name) ? 'ok' : 'refused');
      if (verdict === 'ok' && asked.length === before) {
        plain += 1;
        expect(gitTakes(name), JSON.stringify(name)).toBe(true);
      }
    }
    // The sample holds both kinds: names answered here, and names only git can judge.
    expect(plain).toBeGreaterThan(50);
    expect(asked.length).toBeGreaterThan(50);
  });

  it('asks git about everything else, and refuses what git refuses', async () => {
    const { run, asked } = countingGit();
    for (const name of ['HEAD', 'hotfix/x.lock', 'hotfix//x', 'hotfix/', '-x']) {
      await expect(assertBranchName(run, name), name).rejects.toBeInstanceOf(ValidationError);
    }
    await assertBranchName(run, 'release/1.4.x');
    expect(asked).toEqual(['check-ref-format --branch HEAD', 'check-ref-format --branch hotfix/x.lock', 'check-ref-format --branch hotfix//x', 'check-ref-format --branch hotfix/', 'check-ref-format --branch release/1.4.x']);
  });
});
