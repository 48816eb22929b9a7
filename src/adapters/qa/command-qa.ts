// QA environments made by shell commands from the config (a trusted operator's script).
// Nothing from a request is interpolated into the command: the hotfix's values arrive as
// environment variables with the contract's parameter names. The last `QA_URL=<url>` line
// of stdout is the environment's URL; a non-zero exit or running past the time limit fails.

import { spawn } from 'node:child_process';
import { ExternalServiceError } from '../../domain/errors.js';
import type { QaOutcome, QaProvider, QaRequest } from '../../ports/qa-provider.js';

const OUTPUT_LIMIT = 1024 * 1024;

export interface CommandQaSettings {
  up: string;
  down: string;
  timeoutMs: number;
  /** The service's environment; only the basics and `passEnv` reach the commands. */
  env: Record<string, string | undefined>;
  /** Extra variables the team's scripts need (KUBECONFIG, a cloud profile, ...). */
  passEnv: readonly string[];
}

// The service's secrets (API tokens, signing keys) are not the QA script's business.
const BASICS = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

export function commandEnvironment(env: Record<string, string | undefined>, passEnv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...BASICS, ...passEnv]) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runCommand(command: string, env: Record<string, string | undefined>, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so a time-out kills the whole script, not just the shell.
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const take = (chunk: Buffer, into: 'out' | 'err') => {
      if (into === 'out' && stdout.length < OUTPUT_LIMIT) stdout += chunk.toString('utf8');
      if (into === 'err' && stderr.length < OUTPUT_LIMIT) stderr += chunk.toString('utf8');
    };
    child.stdout.on('data', (c: Buffer) => take(c, 'out'));
    child.stderr.on('data', (c: Buffer) => take(c, 'err'));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

export function qaUrlFrom(stdout: string): string | null {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^QA_URL=(\S+)$/.exec(lines[i] ?? '');
    if (match?.[1] && /^https?:\/\//.test(match[1])) return match[1];
  }
  return null;
}

export function createCommandQaProvider(settings: CommandQaSettings): QaProvider {
  async function run(which: 'up' | 'down', req: QaRequest): Promise<QaOutcome> {
    const env = { ...commandEnvironment(settings.env, settings.passEnv), ...req.parameters };
    let done: Finished;
    try {
      done = await runCommand(which === 'up' ? settings.up : settings.down, env, settings.timeoutMs);
    } catch (err) {
      throw new ExternalServiceError('qa-command', `could not start the qa ${which} command`, false, { cause: err });
    }
    const tail = done.stderr.trim().split('\n').slice(-3).join(' / ');
    if (done.timedOut) {
      throw new ExternalServiceError('qa-command', `qa ${which} command ran past ${Math.round(settings.timeoutMs / 1000)} s and was stopped`, false);
    }
    if (done.code !== 0) {
      const how = done.code === null ? `killed by ${done.signal ?? 'a signal'}` : `exited ${done.code}`;
      throw new ExternalServiceError('qa-command', `qa ${which} command ${how}${tail ? `: ${tail}` : ''}`, false);
    }
    return { kind: 'done', url: which === 'up' ? qaUrlFrom(done.stdout) : null };
  }
  return { up: (req) => run('up', req), down: (req) => run('down', req) };
}
