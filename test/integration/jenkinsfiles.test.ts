// jenkinsfiles/: the Jenkins side of CONTRACT.md section 5. The pipelines and Groovy pass
// npm-groovy-lint (offline, on the machine's Java), the job definitions declare the contract's
// parameters, and the one signing script, hotfix-callback.sh, is run for real against the
// running service: accepted when well signed, refused (at once) with a wrong secret, and
// retried while the service is briefly unreachable.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import type { BuildSnapshot } from '../../src/sandbox/index.js';
import { JOBS, SECRETS, freePort, startHarness, type Harness } from '../helpers/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'jenkinsfiles');
const CALLBACK_SCRIPT = join(DIR, 'scripts', 'hotfix-callback.sh');
const LINTER = join(ROOT, 'node_modules', '.bin', 'npm-groovy-lint');
const GROOVY_LIB = join(ROOT, 'node_modules', 'npm-groovy-lint', 'lib', 'java', 'groovy', 'lib');

/** The contract's parameters (section 5), per Jenkinsfile. */
const PIPELINES = {
  'hotfix-build.Jenkinsfile': { stage: 'build', suffix: 'hotfix-build', more: ['BRANCH', 'COMMIT'] },
  'qa-up.Jenkinsfile': { stage: 'qa-up', suffix: 'qa-up', more: ['QA_ENV', 'COMMIT', 'ARTIFACT_VERSION', 'ARTIFACT_URL'] },
  'qa-down.Jenkinsfile': { stage: 'qa-down', suffix: 'qa-down', more: ['QA_ENV'] },
  'deploy-production.Jenkinsfile': { stage: 'deploy', suffix: 'deploy-production', more: ['COMMIT', 'ARTIFACT_VERSION', 'ARTIFACT_URL', 'DEPLOY_KIND'] },
} as const;
const COMMON = ['HOTFIX_ID', 'SERVICE', 'STAGE', 'CALLBACK_URL'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Every file under dir (relative paths), symlinks included but not followed. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    return e.isDirectory() ? walk(full) : [relative(DIR, full)];
  });
}

/** An absolute java, so npm-groovy-lint's java-caller never looks for (or downloads) a JRE. */
function javaExecutable(): string {
  const fromHome = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : '';
  const found = fromHome && existsSync(fromHome) ? fromHome : spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('npm-groovy-lint needs Java 17 or later (CodeNarc): install a JDK/JRE or set JAVA_HOME');
  const java = realpathSync(found);
  const version = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr;
  const major = Number(/version "(?:1\.)?(\d+)/.exec(version)?.[1] ?? 0);
  if (major < 17) throw new Error(`npm-groovy-lint needs Java 17 or later; ${java} is:\n${version}`);
  return java;
}

interface LintReport {
  summary: { totalFilesLinted: number; totalFoundErrorNumber: number; totalFoundWarningNumber: number; totalFoundInfoNumber: number };
  files: Record<string, { errors: { rule: string; severity: string; line: string | number; msg: string }[] }>;
}

async function lint(target: string): Promise<LintReport> {
  // --noserver: no background CodeNarc server left running; --javaexecutable: no JRE download.
  const res = await run(LINTER, ['--noserver', '--javaexecutable', javaExecutable(), '--ext', 'groovy,Jenkinsfile', '--failon', 'none', '--output', 'json', target], process.env, 110_000);
  try {
    return JSON.parse(res.stdout) as LintReport;
  } catch {
    throw new Error(`npm-groovy-lint did not answer JSON (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  }
}

function findings(report: LintReport, severities: string[]): string[] {
  return Object.entries(report.files).flatMap(([file, { errors }]) =>
    errors.filter((e) => severities.includes(e.severity)).map((e) => `${relative(ROOT, file)}:${e.line} ${e.severity} ${e.rule}: ${e.msg}`),
  );
}

describe('jenkinsfiles/: the pipelines and their Groovy', () => {
  it('pass npm-groovy-lint (no error, no warning), every Jenkinsfile and Groovy file included', { timeout: 120_000 }, async () => {
    const report = await lint('jenkinsfiles');
    const expected = walk(DIR).filter((f) => /\.(groovy|Jenkinsfile)$/.test(f));
    expect(expected.length).toBeGreaterThanOrEqual(18);
    expect(Object.keys(report.files).map((f) => relative(DIR, f)).sort()).toEqual(expected.sort());
    expect(report.summary.totalFilesLinted).toBe(expected.length);
    expect(findings(report, ['error', 'warning'])).toEqual([]);
  });

  it('the linter really parses Jenkinsfiles: a syntax error is an error', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'groovylint-'));
    try {
      const broken = readFileSync(join(DIR, 'qa-down.Jenkinsfile'), 'utf8').replace('    stages {', '    stages {{');
      writeFileSync(join(dir, 'broken.Jenkinsfile'), broken);
      const report = await lint(dir);
      expect(report.summary.totalFoundErrorNumber).toBeGreaterThan(0);
      expect(findings(report, ['error']).join('\n')).toContain('NglParseError');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('each Jenkinsfile declares exactly its stage parameters, reports STARTED and its result, and has the options', () => {
    for (const [file, spec] of Object.entries(PIPELINES)) {
      const text = readFileSync(join(DIR, file), 'utf8');
      const names = [...text.matchAll(/string\(name: '([A-Z_]+)'/g)].map((m) => m[1]);
      expect(names, file).toEqual([...COMMON, ...spec.more]);
      expect(text, file).toContain(`string(name: 'STAGE', defaultValue: '${spec.stage}'`);
      expect(text, file).toContain(`hotfixValidate('${spec.stage}')`);
      expect(text, file).toMatch(/^@Library\('hotfix'\) _$/m);
      expect(text, file).toContain("hotfixCallback(status: 'STARTED')");
      // The final report from post { always { } }, archived as hotfix-callback.json.
      expect(text, file).toMatch(/post \{\s+always \{[^}]*hotfixCallback\([^)]*archive: true\)/);
      for (const option of ['timeout(time:', 'buildDiscarder(logRotator(', 'timestamps()', 'skipDefaultCheckout()']) expect(text, file).toContain(option);
      expect(text.includes('disableConcurrentBuilds()'), file).toBe(spec.stage === 'deploy');
    }
    // Deploy and QA never rebuild: they fetch the published artifact; the deploy hook is not retried.
    for (const file of ['qa-up.Jenkinsfile', 'deploy-production.Jenkinsfile']) {
      const text = readFileSync(join(DIR, file), 'utf8');
      expect(text).toContain('hotfixFetchArtifact()');
      expect(text).not.toMatch(/BUILD_CMD|PACKAGE_CMD|hotfixPublish/);
    }
    expect(readFileSync(join(DIR, 'deploy-production.Jenkinsfile'), 'utf8')).not.toMatch(/\bretry\s*\(/);
  });

  it('jobs.groovy creates the four jobs per service with the contract parameters, run by a stub Job DSL', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobdsl-'));
    try {
      // A stand-in for Job DSL that records what the script defines (run by the Groovy that
      // npm-groovy-lint bundles), enough to see names, parameters and Jenkinsfile paths.
      const stub = join(dir, 'stub.groovy');
      writeFileSync(stub, STUB_JOB_DSL);
      const env = { ...process.env, HOTFIX_SERVICES: 'payments, ledger', HOTFIX_JENKINSFILES_REPO: 'https://git.example.com/acme/hotfix.git' };
      const res = await run(javaExecutable(), ['-cp', `${GROOVY_LIB}/*`, 'groovy.ui.GroovyMain', stub, join(DIR, 'jobs.groovy')], env);
      expect(res.code, res.stderr).toBe(0);
      const jobs = JSON.parse(res.stdout) as Record<string, { type: string; params: Record<string, string>; scriptPath?: string; serial?: boolean; external?: string; url?: string; branch?: string }>;
      expect(jobs.hotfix?.type).toBe('folder');
      for (const service of ['payments', 'ledger']) {
        for (const [file, spec] of Object.entries(PIPELINES)) {
          const job = jobs[`hotfix/${service}-${spec.suffix}`];
          expect(job?.type).toBe('pipeline');
          expect(Object.keys(job?.params ?? {})).toEqual([...COMMON, ...spec.more]);
          expect(job?.params.STAGE).toBe(spec.stage);
          expect(job?.scriptPath).toBe(`jenkinsfiles/${file}`);
          expect(job?.url).toBe('https://git.example.com/acme/hotfix.git');
          expect(job?.branch).toBe('main');
          expect(job?.serial ?? false).toBe(spec.stage === 'deploy');
        }
      }
      // The names the service's config refers to (JOBS in the harness, without the folder).
      expect(Object.keys(jobs)).toEqual(expect.arrayContaining(Object.values(JOBS).map((j) => j.replace(/^team\//, 'hotfix/'))));
      expect(jobs['hotfix/seed-jobs']?.external).toBe('jenkinsfiles/jobs.groovy');

      const missing = await run(javaExecutable(), ['-cp', `${GROOVY_LIB}/*`, 'groovy.ui.GroovyMain', stub, join(DIR, 'jobs.groovy')], { PATH: process.env.PATH ?? '' });
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('HOTFIX_JENKINSFILES_REPO');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the library loads as Jenkins requires: one callback script, no symlink inside vars/ or resources/', () => {
    // Jenkins rejects a library with a symlink in src/, vars/ or resources/ (SECURITY-3727).
    for (const sub of ['vars', 'resources']) {
      for (const file of walk(join(DIR, sub))) expect(lstatSync(join(DIR, file)).isSymbolicLink(), file).toBe(false);
    }
    // scripts/hotfix-callback.sh is the very file libraryResource('hotfix/hotfix-callback.sh') loads.
    expect(realpathSync(CALLBACK_SCRIPT)).toBe(join(DIR, 'resources', 'hotfix', 'hotfix-callback.sh'));
    const groovy = readFileSync(join(DIR, 'vars', 'hotfixCallback.groovy'), 'utf8');
    expect(groovy).toContain("hotfixScript('hotfix-callback.sh')");
    expect(readFileSync(join(DIR, 'vars', 'hotfixScript.groovy'), 'utf8')).toContain('libraryResource("hotfix/${name}")');
    expect(groovy).toContain("string(credentialsId: credentialsId, variable: 'HOTFIX_CALLBACK_SECRET')");
    expect(groovy).toContain("'hotfix-callback-secret'");
    expect(existsSync(join(DIR, 'vars', 'hotfixCallback.txt'))).toBe(true);
  });

  it('the shell scripts pass bash -n and, where installed, shellcheck (.ci/run installs it)', () => {
    const library = readdirSync(join(DIR, 'resources', 'hotfix')).filter((f) => f.endsWith('.sh')).map((f) => join(DIR, 'resources', 'hotfix', f));
    expect(library.length).toBeGreaterThanOrEqual(4);
    // What users run beside the library: the .env generator and CI's own script.
    const scripts = [...library, join(ROOT, 'deploy', 'make-env.sh'), join(ROOT, '.ci', 'run')];
    for (const script of scripts) {
      const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
      expect(syntax.status, `${script}: ${syntax.stderr}`).toBe(0);
    }
    const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    if (shellcheck.error) {
      console.warn('shellcheck is not installed: skipped (apt-get install shellcheck)');
      return;
    }
    const res = spawnSync('shellcheck', scripts, { encoding: 'utf8' });
    expect(res.status, res.stdout).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('hotfix-callback.sh against the running service', () => {
  let h: Harness;
  let work: string;

  beforeAll(async () => {
    // The build job runs until the test ends it: the script plays its callbacks.
    h = await startHarness({ jenkins: (sim) => sim.defineJob(JOBS.build, 'manual') });
    work = mkdtempSync(join(tmpdir(), 'hotfix-callback-'));
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A new hotfix and the manual build Jenkins started for it. */
  async function hotfixWithBuild(title: string): Promise<{ hf: HotfixView; build: BuildSnapshot }> {
    const hf = await h.createHotfix({ title });
    const build = await h.jenkins.waitForBuildStart((b) => b.job === JOBS.build && b.params.HOTFIX_ID === hf.id, 10_000);
    return { hf, build };
  }

  /** The environment Jenkins gives the pipeline: the build's parameters and its own variables. */
  function pipelineEnv(build: BuildSnapshot, more: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      TMPDIR: tmpdir(),
      ...build.params,
      JOB_NAME: build.job,
      BUILD_NUMBER: String(build.number),
      BUILD_URL: build.url,
      HOTFIX_CALLBACK_SECRET: SECRETS.callbackSecret,
      HOTFIX_CALLBACK_BACKOFF: '0.05',
      ...more,
    };
  }

  const callback = (args: string[], env: NodeJS.ProcessEnv): Promise<Run> => run('bash', [CALLBACK_SCRIPT, ...args], env);

  it('reports STARTED and SUCCESS with the artifact: taken (202), the hotfix moves on; the same report again is a duplicate (200)', async () => {
    const { hf, build } = await hotfixWithBuild('Callback script, good signature');
    expect(build.params.STAGE).toBe('build');
    expect(build.params.CALLBACK_URL).toBe(`${h.url}/api/v1/jenkins/events`);

    const started = await callback(['--status', 'STARTED'], pipelineEnv(build));
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toMatch(/delivered STARTED .*HTTP 202/);
    const building = await h.waitFor(hf.id, (x) => x.builds[0]?.number === build.number, 'learn the build number');
    expect(building.state).toBe('building');

    const artifact = { version: `1.4.3-${hf.id.toLowerCase()}.${build.number}`, url: `https://nexus.example.com/repository/hotfix/payments/${hf.id}/payments.tgz` };
    const out = join(work, 'hotfix-callback.json');
    const args = ['--status', 'SUCCESS', '--artifact-version', artifact.version, '--artifact-url', artifact.url, '--out', out];
    const success = await callback(args, pipelineEnv(build));
    expect(success.code, success.stderr).toBe(0);
    expect(success.stderr).toMatch(/delivered SUCCESS .*HTTP 202/);
    const moved = await h.waitFor(hf.id, (x) => x.state === 'qa_provisioning' || x.state === 'awaiting_approval', 'go to QA');
    expect(moved.builds[0]).toMatchObject({ number: build.number, status: 'SUCCESS', commit: build.params.COMMIT, artifact });

    // What --out kept is the body that was sent: the contract's fields, nothing else.
    const body = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(body).toEqual({
      hotfixId: hf.id, stage: 'build', job: JOBS.build, buildNumber: build.number, status: 'SUCCESS',
      commit: build.params.COMMIT, artifact, url: build.url, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(Math.abs(Date.parse(String(body.timestamp)) - Date.now())).toBeLessThan(60_000);

    // Sent again (a retried post step), with jq or with the script's own JSON encoder: 200.
    for (const json of ['jq', 'builtin']) {
      const again = await callback(args, pipelineEnv(build, { HOTFIX_CALLBACK_JSON: json }));
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/delivered SUCCESS .*HTTP 200 .*duplicate/);
    }
    expect((await h.get(hf.id)).events.filter((e) => e.type === 'state' && e.to === 'qa_provisioning')).toHaveLength(1);
    await h.jenkins.finish(JOBS.build, build.number, 'SUCCESS', { callbacks: false });
  });

  it('a wrong secret is refused: exit 65 after one attempt (a 401 is not retried), and nothing changes', async () => {
    const { hf, build } = await hotfixWithBuild('Callback script, wrong secret');
    const args = ['--status', 'SUCCESS', '--artifact-version', '9.9.9', '--artifact-url', 'https://evil.example.com/payments.tgz'];

    const refused = await callback(args, pipelineEnv(build, { HOTFIX_CALLBACK_SECRET: `not-${SECRETS.callbackSecret}`, HOTFIX_CALLBACK_RETRIES: '5', HOTFIX_CALLBACK_BACKOFF: '3' }));
    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(/refused SUCCESS .*HTTP 401/);
    expect(refused.stderr).toContain('bad_signature');
    expect(refused.stderr).not.toMatch(/retrying in/);
    expect(refused.stderr).toContain('not retrying');
    expect(refused.ms).toBeLessThan(2500); // one attempt: the first backoff alone would be 3 s
    expect(refused.stderr).not.toContain(SECRETS.callbackSecret);
    const after = await h.get(hf.id);
    expect(after.state).toBe('building');
    expect(after.builds[0]?.status).not.toBe('SUCCESS');
    expect(after.builds[0]?.artifact).toBeNull();

    // No secret at all: a usage error before anything is sent.
    const { HOTFIX_CALLBACK_SECRET: _omitted, ...noSecret } = pipelineEnv(build);
    const unset = await callback(args, noSecret);
    expect(unset.code).toBe(64);
    expect(unset.stderr).toContain('HOTFIX_CALLBACK_SECRET is not set');

    // The same report, well signed, is taken: the refusal was the signature's doing.
    const good = await callback(['--status', 'FAILURE'], pipelineEnv(build));
    expect(good.code, good.stderr).toBe(0);
    await h.waitForState(hf.id, 'build_failed');
    await h.jenkins.finish(JOBS.build, build.number, 'FAILURE', { callbacks: false });
  });

  it('a report the service cannot place (another job name) is answered 202 "ignored": delivered, with a warning', async () => {
    const { hf, build } = await hotfixWithBuild('Callback script, unknown job');
    const res = await callback(['--status', 'STARTED', '--job', 'elsewhere/payments-build'], pipelineEnv(build));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/HTTP 202 .*"status":"ignored"/);
    expect(res.stderr).toContain('WARNING: the service ignored this report');
    expect((await h.get(hf.id)).builds[0]?.status).not.toBe('STARTED');
    await h.jenkins.finish(JOBS.build, build.number, 'ABORTED', { callbacks: false });
  });

  /** A stand-in in front of the service: answers `failFirst` requests with 503, then forwards. */
  async function frontDoor(port: number, failFirst: number): Promise<{ server: Server; requests: () => number }> {
    let requests = 0;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests += 1;
        if (requests <= failFirst) {
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"restarting"}}');
          return;
        }
        const headers: Record<string, string> = { 'content-type': String(req.headers['content-type']) };
        const signature = req.headers['x-hotfix-signature'];
        if (typeof signature === 'string') headers['x-hotfix-signature'] = signature;
        fetch(`${h.url}${req.url ?? '/'}`, { method: 'POST', headers, body: Buffer.concat(chunks) })
          .then(async (answer) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text()))
          .catch((err: unknown) => res.writeHead(502).end(String(err)));
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return { server, requests: () => requests };
  }

  const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

  it('retries while nothing listens yet, and delivers once the service is back', async () => {
    const { hf, build } = await hotfixWithBuild('Callback script, service down for a moment');
    const port = await freePort();
    const env = pipelineEnv(build, { CALLBACK_URL: `http://127.0.0.1:${port}/api/v1/jenkins/events`, HOTFIX_CALLBACK_RETRIES: '8', HOTFIX_CALLBACK_BACKOFF: '0.2', HOTFIX_CALLBACK_BACKOFF_MAX: '1' });
    const sending = callback(['--status', 'STARTED'], env);
    await new Promise((r) => setTimeout(r, 1000));
    const door = await frontDoor(port, 0);
    try {
      const res = await sending;
      expect(res.code, res.stderr).toBe(0);
      const refusedAttempts = res.stderr.match(/^hotfix-callback: attempt \d+\/9: .*\(curl exit 7\); retrying in/gm) ?? [];
      expect(refusedAttempts.length).toBeGreaterThanOrEqual(2); // 0 s, 0.2 s, 0.6 s: nothing listened
      expect(res.stderr).toMatch(/delivered STARTED .*HTTP 202/);
      expect(door.requests()).toBe(1);
      expect(res.ms).toBeGreaterThan(1000);
      await h.waitFor(hf.id, (x) => x.builds[0]?.number === build.number && x.builds[0]?.status === 'STARTED', 'take STARTED');
    } finally {
      await close(door.server);
    }
  });

  it('retries 503 answers with backoff (exactly 3 requests for two 503s), and gives up with exit 75 when they never stop', async () => {
    const { hf, build } = await hotfixWithBuild('Callback script, 503 twice');
    const port = await freePort();
    const door = await frontDoor(port, 2);
    try {
      const env = pipelineEnv(build, { CALLBACK_URL: `http://127.0.0.1:${port}/api/v1/jenkins/events`, HOTFIX_CALLBACK_RETRIES: '4', HOTFIX_CALLBACK_BACKOFF: '0.1' });
      const res = await callback(['--status', 'STARTED'], env);
      expect(res.code, res.stderr).toBe(0);
      expect(door.requests()).toBe(3);
      expect(res.stderr).toMatch(/attempt 1\/5: HTTP 503 .*retrying in 0\.100s/);
      expect(res.stderr).toMatch(/attempt 2\/5: HTTP 503 .*retrying in 0\.200s/);
      expect(res.stderr).toMatch(/delivered STARTED .*HTTP 202/);
      expect(res.ms).toBeGreaterThan(300);
      await h.waitFor(hf.id, (x) => x.builds[0]?.status === 'STARTED', 'take STARTED');
    } finally {
      await close(door.server);
    }

    const always = await frontDoor(await freePort(), Number.MAX_SAFE_INTEGER);
    try {
      const address = always.server.address();
      const port2 = typeof address === 'object' && address ? address.port : 0;
      const env = pipelineEnv(build, { CALLBACK_URL: `http://127.0.0.1:${port2}/api/v1/jenkins/events`, HOTFIX_CALLBACK_RETRIES: '2', HOTFIX_CALLBACK_BACKOFF: '0.05' });
      const res = await callback(['--status', 'FAILURE'], env);
      expect(res.code).toBe(75);
      expect(always.requests()).toBe(3);
      expect(res.stderr).toMatch(/attempt 3\/3: HTTP 503 .*giving up/);
    } finally {
      await close(always.server);
    }
    await h.jenkins.finish(JOBS.build, build.number, 'ABORTED', { callbacks: false });
  });
});

const STUB_JOB_DSL = String.raw`
import groovy.json.JsonOutput

class Recorder {
    Map job
    def methodMissing(String name, Object args) {
        Object[] a = args as Object[]
        switch (name) {
            case 'stringParam': job.params[a[0]] = a[1]; break
            case 'scriptPath': job.scriptPath = a[0]; break
            case 'url': job.url = a[0]; break
            case 'branch': job.branch = a[0]; break
            case 'external': job.external = a[0]; break
            case 'disableConcurrentBuilds': job.serial = true; break
        }
        if (a && a[-1] instanceof Closure) {
            Closure body = (Closure) a[-1].clone()
            body.delegate = this
            body.resolveStrategy = Closure.DELEGATE_FIRST
            body.call()
        }
        return null
    }
}

Map jobs = [:]
def define = { String type, String name, Closure body ->
    Map job = [type: type, params: [:]]
    jobs[name] = job
    Closure copy = (Closure) body.clone()
    copy.delegate = new Recorder(job: job)
    copy.resolveStrategy = Closure.DELEGATE_FIRST
    copy.call()
}
Binding binding = new Binding(new LinkedHashMap(System.getenv().findAll { k, v -> k.startsWith('HOTFIX_') }))
Script script = new GroovyShell(binding).parse(new File(args[0]))
script.metaClass.folder = { String n, Closure b -> define('folder', n, b) }
script.metaClass.pipelineJob = { String n, Closure b -> define('pipeline', n, b) }
script.metaClass.job = { String n, Closure b -> define('freestyle', n, b) }
script.run()
println JsonOutput.toJson(jobs)
`;
