// Runs git through simple-git with the safety settings every call needs: no prompts, no
// hooks, a time limit, and failures that keep git's exit code (simple-git alone treats a
// non-zero exit with nothing on stderr as success).
//
// simple-git waits an extra 50 ms after a command that printed nothing at all (read-tree,
// tag -a, config, an empty listing): at a dozen git calls per hotfix step that was most of
// the time a step took. So git traces each command to stderr (GIT_TRACE=2, one line); those
// lines are taken out again before anyone reads stderr.
//
// By default simple-git also calls a command done 50 ms after the process *exits*, whether or
// not its output has been read to the end (steveukx/git-js#608, #1063). Under load that cut
// `ls-remote` listings short: a branch pushed a moment before was "missing on the origin".
// A command is done when its output is closed, and not before.

import { GitError, simpleGit, type SimpleGit } from 'simple-git';
import { ExternalServiceError } from '../../domain/errors.js';
import { locksMet, removeLocks } from './stale-locks.js';

// A GitError subclass, so simple-git passes it through instead of wrapping it in a string.
export class GitExitError extends GitError {
  override readonly name = 'GitExitError';
  constructor(
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(undefined, `git exited ${exitCode}: ${summarise(stderr) || stdout.trim().slice(0, 200)}`);
  }
}

/**
 * git's own "error:" and "fatal:" lines first, then the last lines: a fetch that fails on one ref
 * ends with a listing of all the refs that were up to date, which alone says nothing.
 */
function summarise(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
  const causes = lines.filter((l) => /^(error|fatal): /.test(l)).slice(0, 2);
  return [...causes, ...lines.slice(-3).filter((l) => !causes.includes(l))].join(' / ');
}

export interface GitSettings {
  author: { name: string; email: string };
  timeoutMs: number;
  /** The environment git runs with (prompts are switched off on top of it). */
  env: Record<string, string | undefined>;
}

export type RunGit = (args: readonly string[]) => Promise<string>;

// `12:34:56.789012 git.c:460   trace: built-in: git …` (and run_command/exec lines of children).
const TRACE_LINE = /^\d{2}:\d{2}:\d{2}\.\d+ \S+:\d+ +trace: .*(?:\n|$)/gm;

export function withoutTrace(stderr: string): string {
  return stderr.replace(TRACE_LINE, '');
}

// Redact credentials in remote URLs (https://user:token@host) from anything we report.
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

// Git sees only what it needs: where things are, proxies, certificates and an SSH agent —
// not the service's secrets, nor variables (EDITOR, GIT_*) that change what git executes.
const PASS_THROUGH = [
  'PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'GIT_SSL_CAINFO', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSH_COMMAND',
];

export function gitRunner(dir: string, settings: GitSettings, extraEnv: Record<string, string> = {}): RunGit {
  const env: Record<string, string> = { ...extraEnv };
  for (const k of PASS_THROUGH) {
    const v = settings.env[k];
    if (v !== undefined) env[k] = v;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_TRACE = '2';
  env.GIT_SSH_COMMAND ??= 'ssh -o BatchMode=yes';
  const git: SimpleGit = simpleGit({
    baseDir: dir,
    timeout: { block: settings.timeoutMs },
    completion: { onClose: true, onExit: false },
    // Both set by us (hooks off; SSH in batch mode), never from a request.
    unsafe: { allowUnsafeHooksPath: true, allowUnsafeSshCommand: true },
    config: [
      `user.name=${settings.author.name}`,
      `user.email=${settings.author.email}`,
      'core.hooksPath=/dev/null',
      'advice.detachedHead=false',
      'gc.auto=0',
    ],
    // A positive exit code is git's answer; anything else (killed on time-out, failed to
    // spawn) keeps simple-git's own error.
    errors: (error, result) =>
      typeof result.exitCode === 'number' && result.exitCode > 0
        ? new GitExitError(result.exitCode, Buffer.concat(result.stdOut).toString('utf8'), withoutTrace(Buffer.concat(result.stdErr).toString('utf8')))
        : error,
  }).env(env);
  const run = async (args: readonly string[], again: boolean): Promise<string> => {
    try {
      return await git.raw([...args]);
    } catch (err) {
      if (err instanceof GitExitError) {
        // A lock file a killed git left (stale-locks.ts): cleared once and the command run
        // again; one that may still be held is a wait, not a failure.
        const locks = await locksMet(dir, err.stderr);
        if (locks.length === 0 || again) throw err;
        const held = locks.find((l) => l.ageMs !== null && l.ageMs < settings.timeoutMs);
        if (held) {
          const secs = (ms: number) => Math.round(ms / 1000);
          throw new ExternalServiceError('git', `${held.path} is held by another git (made ${secs(held.ageMs ?? 0)} s ago); trying again later (with no git running, it is removed once ${secs(settings.timeoutMs)} s old)`, true, { cause: err });
        }
        await removeLocks(locks);
        return run(args, true);
      }
      // Spawn failures and time-outs: git itself is missing or a remote is not answering.
      throw new ExternalServiceError('git', redactUrl(withoutTrace(err instanceof Error ? err.message : String(err))), true, { cause: err });
    }
  };
  return (args) => run(args, false);
}
