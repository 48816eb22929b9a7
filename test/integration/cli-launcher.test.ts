// bin/hotfix.js chooses what to run: the build, unless the source changed since; the source
// through tsx otherwise. Checked on a copy of the launcher beside a stand-in build and source,
// with the project's own node_modules (so the real tsx), and file times set by hand.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;

/** A checkout with a launcher, a build that answers "built" and a source that answers "source". */
function checkout(opts: { build: boolean; source: boolean; tsx: boolean }): void {
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'hotfix.js'), join(dir, 'bin', 'hotfix.js'));
  if (opts.build) {
    mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'cli', 'main.js'), 'export async function runCli(argv, io) { io.out("built"); return 0; }\n');
  }
  if (opts.source) {
    mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), 'export async function runCli(argv: string[], io: { out(s: string): void }): Promise<number> {\n  io.out("source");\n  return 0;\n}\n');
    writeFileSync(join(dir, 'src', 'log.ts'), 'export {};\n');
  }
  if (opts.tsx) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
}

/** Sets a file's modification time, in seconds from now. */
function age(path: string, secondsAgo: number): void {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(join(dir, path), t, t);
}

function run(): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(dir, 'bin', 'hotfix.js'), 'version'], { cwd: dir }, (err, out, errOut) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: out.trim(), err: errOut.trim() });
    });
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotfix-launcher-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bin/hotfix.js', () => {
  it('runs the build when it is newer than every source file', async () => {
    checkout({ build: true, source: true, tsx: true });
    age('src/cli/main.ts', 120);
    age('src/log.ts', 120);
    age('dist/cli/main.js', 60);
    expect(await run()).toEqual({ code: 0, out: 'built', err: '' });
  });

  it('runs the source when any file under src/ changed after the build', async () => {
    checkout({ build: true, source: true, tsx: true });
    age('src/cli/main.ts', 120);
    age('dist/cli/main.js', 60);
    age('src/log.ts', 30); // not even the CLI's own file
    expect(await run()).toEqual({ code: 0, out: 'source', err: '' });
  });

  it('runs the source when there is no build', async () => {
    checkout({ build: false, source: true, tsx: true });
    expect(await run()).toEqual({ code: 0, out: 'source', err: '' });
  });

  it('runs an older build without tsx, and says it is older', async () => {
    checkout({ build: true, source: true, tsx: false });
    age('dist/cli/main.js', 60);
    const res = await run();
    expect(res.out).toBe('built');
    expect(res.err).toMatch(/dist\/ is older than src\/.*npm run build/);
  });

  it('runs an installed build that has no source beside it', async () => {
    checkout({ build: true, source: false, tsx: false });
    expect(await run()).toEqual({ code: 0, out: 'built', err: '' });
  });

  it('says what to do when there is neither a build nor tsx', async () => {
    checkout({ build: false, source: true, tsx: false });
    const res = await run();
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/no build.*npm run build/);
  });
});
