/**
 * What the build pipeline does with a commit: check it out fresh from the origin, run the
 * app's own tests (`node --test`), stamp the build info and pack it into the artifact store.
 * The demo's first production release is packed the same way, so production and hotfixes
 * are the same kind of artifact.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactStore, PublishedArtifact } from '../artifacts.js';
import { CommandFailed, git, run } from '../exec.js';

export interface PackageInput {
  originUrl: string;
  commit: string;
  /** When given, the commit must be on this branch of the origin (the real pipeline checks it too). */
  branch?: string;
  /** The artifact's version; `versionFor` derives it from the app's package.json when absent. */
  version?: (appVersion: string) => string;
  /** Jenkins build number, recorded in build-info.json. */
  buildNumber: number | null;
  /** Scratch directory, removed afterwards. */
  workDir: string;
  artifactName: string;
  store: ArtifactStore;
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface PackagedApp extends PublishedArtifact {
  version: string;
}

/** Thrown when the app's tests fail: the build is a FAILURE, not a crashed pipeline. */
export class TestsFailed extends Error {}

export async function packageApp(input: PackageInput): Promise<PackagedApp> {
  const { workDir: dir, log, signal } = input;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    log(`$ git clone ${input.originUrl} && git checkout ${input.commit}`);
    await git(['clone', '--quiet', '--no-checkout', input.originUrl, dir], dir, signal);
    await git(['checkout', '--quiet', '--detach', input.commit], dir, signal);
    if (input.branch) {
      try {
        await git(['merge-base', '--is-ancestor', input.commit, `origin/${input.branch}`], dir, signal);
      } catch {
        throw new Error(`commit ${input.commit} is not on branch ${input.branch}`);
      }
      log(`${input.commit.slice(0, 12)} is on ${input.branch}`);
    }
    rmSync(join(dir, '.git'), { recursive: true, force: true });

    log('$ node --test');
    try {
      // Only PATH: the demo's own NODE_OPTIONS (tsx, vitest) must not leak into the app's tests.
      const { stdout } = await run(process.execPath, ['--test', '--test-reporter=spec'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, signal, timeoutMs: 120_000 });
      for (const line of stdout.trimEnd().split('\n')) log(line);
    } catch (err) {
      if (!(err instanceof CommandFailed)) throw err;
      for (const line of `${err.stdout}${err.stderr}`.trimEnd().split('\n')) log(line);
      throw new TestsFailed('the tests failed');
    }

    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
    const version = input.version ? input.version(pkg.version ?? '0.0.0') : (pkg.version ?? '0.0.0');
    const info = { name: pkg.name ?? 'app', version, commit: input.commit, build: input.buildNumber, builtAt: new Date().toISOString() };
    writeFileSync(join(dir, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
    const artifact = await input.store.publish(dir, input.artifactName.replace('{version}', version), signal);
    log(`Published ${artifact.url}`);
    return { ...artifact, version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the version an unpacked artifact says it is (its build-info.json). */
export function unpackedVersion(dir: string): string {
  try {
    const info = JSON.parse(readFileSync(join(dir, 'build-info.json'), 'utf8')) as { version?: unknown };
    return typeof info.version === 'string' ? info.version : '(none)';
  } catch {
    return '(no build-info.json)';
  }
}
