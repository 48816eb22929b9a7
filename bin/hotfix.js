#!/usr/bin/env node
/* global process, URL */
// The `hotfix` command: the built CLI (npm run build), unless the TypeScript source changed
// since that build (a checkout being worked on): then the source itself, through tsx, which a
// checkout has after `npm ci`. A build that is older than the source runs only when there is no
// tsx (an install without dev dependencies), and says so.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src', import.meta.url));

/** When a file under `dir` last changed (0 for none). */
function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function loadTsx() {
  try {
    return (await import('tsx/esm/api')).tsImport;
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}

const hasBuild = existsSync(built);
const current = hasBuild && !(existsSync(source) && newestUnder(source) > statSync(built).mtimeMs);
let runCli;
if (current) {
  ({ runCli } = await import(built));
} else {
  const tsImport = await loadTsx();
  if (tsImport) {
    ({ runCli } = await tsImport('../src/cli/main.ts', import.meta.url));
  } else if (hasBuild) {
    process.stderr.write('hotfix: dist/ is older than src/ (run `npm run build`); using it anyway\n');
    ({ runCli } = await import(built));
  } else {
    process.stderr.write('hotfix: there is no build (run `npm run build`), and no tsx to run the source with\n');
    process.exit(1);
  }
}
const code = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s.startsWith('\r') ? s : `${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  tty: process.stdout.isTTY === true,
});
process.exitCode = code;
