// The command QA provider runs real shell commands: the contract's parameters arrive as
// environment variables (never spliced into the command), the URL is the last QA_URL= line.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandQaProvider } from '../../../src/adapters/qa/command-qa.js';
import { qaDownParameters, qaUpParameters, type JobParameters } from '../../../src/domain/parameters.js';
import { externalFailure, tempDir, until } from './support.js';

const COMMON = { hotfix: { id: 'HF-2026-11-007', service: 'payments' }, callbackUrl: 'https://hotfix.example.com/api/v1/jenkins/events' };
const UP = qaUpParameters(COMMON, 'qa-hf-2026-11-007', 'c'.repeat(40), { version: '1.4.3', url: 'https://ci.example.com/artifact/payments-1.4.3.tgz' });
const DOWN = qaDownParameters(COMMON, 'qa-hf-2026-11-007');

let dir: string;

beforeAll(() => {
  dir = tempDir('qa-command');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function provider(up: string, down = 'true', timeoutMs = 5_000, env: Record<string, string | undefined> = process.env, passEnv: string[] = []) {
  return createCommandQaProvider({ up, down, timeoutMs, env, passEnv });
}

const request = (parameters: JobParameters) => ({ parameters, resumed: false, since: new Date() });

/** Is the process gone (or a zombie nobody has reaped yet)? */
function isDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('the environment the commands see', () => {
  it('has the parameters and the basics, not the service secrets, plus what passEnv names', async () => {
    const env = { PATH: process.env.PATH, HOTFIX_API_TOKEN: 'secret-token-value', JENKINS_API_TOKEN: 'jenkins-secret', KUBECONFIG: '/etc/kube/qa' };
    const up = 'echo "QA_URL=https://$QA_ENV.example.com/?t=${HOTFIX_API_TOKEN:-none}&j=${JENKINS_API_TOKEN:-none}&k=${KUBECONFIG:-none}"';
    const out = await provider(up, 'true', 5_000, env, ['KUBECONFIG']).up(request({ QA_ENV: 'qa-hf-2026-11-001' }));
    expect(out).toEqual({ kind: 'done', url: 'https://qa-hf-2026-11-001.example.com/?t=none&j=none&k=/etc/kube/qa' });
  });
});

describe('qa up', () => {
  it('takes the URL from the last QA_URL= line of stdout', async () => {
    const qa = provider([
      'echo "QA_URL=https://first.example.com"',
      'echo "provisioning..."',
      'echo "QA_URL=not-a-url"',
      'echo "QA_URL=https://$QA_ENV.qa.example.com/"',
      'echo "done"',
      'echo "warnings go here" >&2',
    ].join('\n'));

    expect(await qa.up(request(UP))).toEqual({ kind: 'done', url: 'https://qa-hf-2026-11-007.qa.example.com/' });
  });

  it('answers url null when the command prints no QA_URL', async () => {
    expect(await provider('echo provisioned').up(request(UP))).toEqual({ kind: 'done', url: null });
  });

  it('passes the contract parameters as environment variables', async () => {
    const out = join(dir, 'env.txt');
    const qa = provider(`printf '%s\\n' "$HOTFIX_ID" "$SERVICE" "$STAGE" "$CALLBACK_URL" "$QA_ENV" "$COMMIT" "$ARTIFACT_VERSION" "$ARTIFACT_URL" > '${out}'`);

    await qa.up(request(UP));

    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toEqual([
      'HF-2026-11-007', 'payments', 'qa-up', COMMON.callbackUrl, 'qa-hf-2026-11-007', 'c'.repeat(40), '1.4.3', 'https://ci.example.com/artifact/payments-1.4.3.tgz',
    ]);
  });

  it('never executes a parameter value, however hostile', async () => {
    const pwned = join(dir, 'pwned');
    const out = join(dir, 'hostile.txt');
    const hostile = `$(touch ${pwned})\`touch ${pwned}\`; touch ${pwned} #`;
    const qa = provider(`echo "QA_URL=https://qa.example.com/$QA_ENV"; printf '%s' "$QA_ENV" > '${out}'; echo $QA_ENV >/dev/null`);

    const outcome = await qa.up(request({ ...UP, QA_ENV: hostile }));

    expect(existsSync(pwned)).toBe(false);
    expect(readFileSync(out, 'utf8')).toBe(hostile);
    expect(outcome.kind).toBe('done');
  });
});

describe('qa down', () => {
  it('runs the down command with the qa-down parameters and reports no URL', async () => {
    const out = join(dir, 'down.txt');
    const qa = provider('false', `echo "$STAGE $QA_ENV" > '${out}'; echo "QA_URL=https://ignored.example.com"`);

    expect(await qa.down(request(DOWN))).toEqual({ kind: 'done', url: null });
    expect(readFileSync(out, 'utf8').trim()).toBe('qa-down qa-hf-2026-11-007');
  });
});

describe('failures', () => {
  it('a non-zero exit is a permanent failure carrying the tail of stderr', async () => {
    const qa = provider('echo "line 1" >&2; echo "line 2" >&2; echo "quota exceeded for namespace qa" >&2; echo "QA_URL=https://x.example.com"; exit 3');

    const err = await externalFailure(qa.up(request(UP)), false);

    expect(err.message).toContain('exited 3');
    expect(err.message).toContain('quota exceeded for namespace qa');
  });

  it('a command that cannot be found fails permanently', async () => {
    const err = await externalFailure(provider('/nonexistent/provision-qa').up(request(UP)), false);
    expect(err.message).toContain('exited 127');
  });

  it('a command running past the time limit is stopped with its whole process group', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    // The script leaves a grandchild behind that keeps stdout open: only killing the group ends it.
    const qa = provider(`sleep 30 & echo $! > '${pidFile}'; wait`, 'true', 300);

    const t0 = performance.now();
    const err = await externalFailure(qa.up(request(UP)), false);

    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(err.message).toMatch(/ran past/);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(0);
    await until(() => (isDead(pid) ? true : undefined), 2_000, `process ${pid} to be killed`);
  });
});
