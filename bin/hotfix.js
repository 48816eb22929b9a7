#!/usr/bin/env node
/* global process, URL */
// The `hotfix` command: the built CLI when there is one (npm run build), else the TypeScript
// source through tsx (a checkout after `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
let runCli;
if (existsSync(built)) {
  ({ runCli } = await import(built));
} else {
  const { tsImport } = await import('tsx/esm/api');
  ({ runCli } = await tsImport('../src/cli/main.ts', import.meta.url));
}
const code = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s.startsWith('\r') ? s : `${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  tty: process.stdout.isTTY === true,
});
process.exitCode = code;
