/**
 * Running the commands the demo's "pipelines" run (git, tar, node --test) without a shell:
 * arguments are passed as they are, output is captured for the build log, and a stopped
 * build (its AbortSignal) kills the command.
 */
import { execFile } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly stdout: string,
    readonly stderr: string,
    cause: unknown,
  ) {
    const last = (stderr.trim() || stdout.trim()).split('\n').slice(-5).join('\n');
    super(`${command} failed${last ? `:\n${last}` : ''}`, { cause });
  }
}

export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd, env: opts.env, signal: opts.signal, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new CommandFailed([file, ...args].join(' '), stdout, stderr, err));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/**
 * Git with the user's own configuration switched off (a global `commit.gpgsign` or hooks
 * would otherwise change what the demo's commits do) and a fixed author.
 */
export const GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: process.platform === 'win32' ? 'NUL' : '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Dana Developer',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dana Developer',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
};

export async function git(args: readonly string[], cwd: string, signal?: AbortSignal): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: GIT_ENV, ...(signal ? { signal } : {}) });
  return stdout.trim();
}
