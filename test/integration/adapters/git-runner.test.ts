// The one way the service runs git (runner.ts), against a real repository: output as git
// prints it, and failures that carry git's own words — not the trace lines the runner asks
// git for so that simple-git never waits on a command that prints nothing.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { gitRunner, GitExitError, withoutTrace } from '../../../src/adapters/git/runner.js';
import { rejectionOf, tempDir } from './support.js';

const dir = tempDir('runner');
execFileSync('git', ['init', '--quiet', '--bare', dir]);
const run = gitRunner(dir, { author: { name: 'Hotfix Bot', email: 'bot@example.com' }, timeoutMs: 10_000, env: { PATH: process.env.PATH } });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gitRunner', () => {
  it('returns what git prints on stdout, and nothing for a command that prints nothing', async () => {
    expect(await run(['rev-parse', '--is-bare-repository'])).toBe('true\n');
    expect(await run(['config', 'hotfix.probe', 'yes'])).toBe('');
    expect(await run(['config', '--get', 'hotfix.probe'])).toBe('yes\n');
  });

  it('returns all of the output, even when it is still being written after git exited (issue 10.4)', async () => {
    // A child that outlives git keeps writing: simple-git used to answer 50 ms after git's exit
    // with what it had read so far, which under load cut ls-remote listings short.
    execFileSync('git', ['-C', dir, 'config', 'alias.late', '!sh -c "(sleep 0.3; echo late) & echo early"']);
    expect(await run(['late'])).toBe('early\nlate\n');
  });

  it('a failure keeps git exit code and its own message, without trace lines', async () => {
    const err = await rejectionOf(run(['rev-parse', '--verify', '--end-of-options', 'no-such-ref^{commit}']));
    expect(err).toBeInstanceOf(GitExitError);
    const e = err as GitExitError;
    expect(e.exitCode).toBe(128);
    expect(e.stderr).toContain('fatal: Needed a single revision');
    expect(e.stderr).not.toContain('trace:');
    expect(e.message).toContain('fatal: Needed a single revision');
  });

  it('withoutTrace removes trace lines of git and its children, and only those', () => {
    const stderr = [
      '08:04:20.658739 git.c:460               trace: built-in: git push --porcelain origin x',
      '08:04:20.660001 run-command.c:655       trace: run_command: git-receive-pack \'/tmp/o.git\'',
      'error: failed to push some refs to \'/tmp/o.git\'',
      'hint: Updates were rejected because the tip of your current branch is behind (trace: not a trace line)',
    ].join('\n');
    expect(withoutTrace(stderr)).toBe("error: failed to push some refs to '/tmp/o.git'\nhint: Updates were rejected because the tip of your current branch is behind (trace: not a trace line)");
  });
});
