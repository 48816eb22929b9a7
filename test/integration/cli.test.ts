// The `hotfix` CLI: the real binary (bin/hotfix.js, as `npx hotfix` runs it) against a running
// service, as a developer and a QA lead would use it, and the exit codes a script acts on.

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hotfix.js');
const T = { dev: 'cli-dev-token-0123456789abcdef', qa: 'cli-qa-token-0123456789abcdef' };

let h: Harness;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hotfix-cli-'));
  h = await startHarness({
    pollIntervalSeconds: 1,
    config: (raw) => {
      raw.auth = {
        tokens: [
          { principal: 'dev@example.com', roles: ['requester'], token: T.dev },
          { principal: 'qa@example.com', roles: ['approver'], token: T.qa },
        ],
      };
    },
  });
});
afterAll(async () => {
  await h?.close();
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

function hotfix(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // A home of its own: the developer's ~/.config/hotfix stays out of it.
      { env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), HOTFIX_URL: h.url, HOTFIX_TOKEN: T.dev, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout, err: stderr }),
    );
  });
}

const asQa = { HOTFIX_TOKEN: T.qa };

describe('hotfix CLI', () => {
  it('start, watch until QA must act, status, promote, watch until the back-merge: with the exit codes a script uses', async () => {
    const fix = h.origin.fix('Refund rounding from the CLI');
    const started = await hotfix(['start', 'payments', 'Refund rounding from the CLI', '--commit', fix]);
    expect(started.code, started.err).toBe(0);
    const id = /^started: (HF-\d{4}-\d{2}-\d{3})/.exec(started.out)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(started.out).toContain(`${h.url}/console/hotfixes/${id}`);

    const watched = await hotfix(['watch', id, '--interval', '0.2']);
    expect(watched.code, watched.err).toBe(3);
    expect(watched.out).toContain(`Following ${id}`);
    expect(watched.out).toMatch(/awaiting_approval — waiting for approval/);

    const status = await hotfix(['status', id]);
    expect(status.code).toBe(3);
    expect(status.out).toContain('state      awaiting_approval');
    expect(status.out).toContain(`branch     hotfix/${id}`);

    // The requester cannot approve their own hotfix: refused, exit 1, with the service's words.
    const own = await hotfix(['promote', id]);
    expect(own.code).toBe(1);
    expect(own.err).toContain('403');

    const promoted = await hotfix(['--json', 'promote', id, '--comment', 'QA passed'], asQa);
    expect(promoted.code, promoted.err).toBe(0);
    const body = JSON.parse(promoted.out) as { state: string; approvals: Array<{ actor: string; via: string }> };
    expect(body.state).toBe('deploying');
    expect(body.approvals[0]).toMatchObject({ actor: 'qa@example.com', via: 'api' });

    const shipped = await hotfix(['--json', 'watch', id, '--interval', '0.2']);
    expect(shipped.code).toBe(3);
    const states = shipped.out.trim().split('\n').map((l) => (JSON.parse(l) as { state: string }).state);
    expect(states.at(-1)).toBe('awaiting_backmerge');

    const listed = await hotfix(['list', '--state', 'awaiting_backmerge']);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(id);
    const evidence = await hotfix(['evidence', id]);
    expect(evidence.code).toBe(0);
    expect(evidence.out).toContain(`# Evidence for hotfix ${id}`);
  });

  it('usage mistakes are exit 2, refusals exit 1, each with a line that says what is wrong', async () => {
    const noReason = await hotfix(['reject', 'HF-2026-12-001']);
    expect(noReason.code).toBe(2);
    expect(noReason.err).toContain("required option '--reason <text>' not specified");
    const badState = await hotfix(['list', '--state', 'sideways']);
    expect(badState.code).toBe(2);
    expect(badState.err).toContain('Allowed choices are open, building');
    const unknown = await hotfix(['status', 'HF-2099-01-001']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('404 not_found');
    const noToken = await hotfix(['list'], { HOTFIX_TOKEN: undefined });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toContain('no API token: set HOTFIX_TOKEN');
    const wrongToken = await hotfix(['list'], { HOTFIX_TOKEN: 'not-a-token-of-this-service' });
    expect(wrongToken.code).toBe(2);
    expect(wrongToken.err).toContain('401');
    const badBody = await hotfix(['start', 'payments', 'x']);
    expect(badBody.code).toBe(2);
    expect(badBody.err).toContain('title');
    const help = await hotfix(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Exit codes: 0 done, 1 refused, 2 usage, 3 a person must act.');
  });

  it('reads the URL and token from its config file, and warns when others can read the token', async () => {
    const file = join(home, 'cli.yaml');
    writeFileSync(file, `url: ${h.url}\ntoken: ${T.qa}\n`);
    chmodSync(file, 0o644);
    const open = await hotfix(['list'], { HOTFIX_URL: undefined, HOTFIX_TOKEN: undefined, HOTFIX_CONFIG: file });
    expect(open.code, open.err).toBe(0);
    expect(open.err).toContain(`warning: ${file} holds a token and others can read it: chmod 600`);
    chmodSync(file, 0o600);
    const closed = await hotfix(['list'], { HOTFIX_URL: undefined, HOTFIX_TOKEN: undefined, HOTFIX_CONFIG: file });
    expect(closed.code).toBe(0);
    expect(closed.err).toBe('');
    writeFileSync(file, 'url: [not a url\n');
    const broken = await hotfix(['list'], { HOTFIX_URL: undefined, HOTFIX_TOKEN: undefined, HOTFIX_CONFIG: file });
    expect(broken.code).toBe(2);
    expect(broken.err).toContain(`hotfix: ${file} is not valid YAML`);
  });
});
