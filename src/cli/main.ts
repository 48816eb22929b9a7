// `hotfix`: start and follow hotfixes from a terminal, on the same API (and so the same rules)
// as everything else. Exit codes for scripts: 0 done, 1 refused, 2 usage, 3 a person must act.

import { Command, CommanderError, Option } from 'commander';
import { STATES, TERMINAL, type HotfixState } from '../domain/states.js';
import { ApiRefused, createApiClient, type ApiClient } from './client.js';
import { details, EXIT, exitFor, line, NEEDS_PERSON, since, waitsFor, type Shown } from './render.js';
import { loadCliSettings, UsageError } from './settings.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (a spinner rewrites its line; a pipe gets one line per change). */
  tty: boolean;
}

interface Globals {
  json?: boolean;
  url?: string;
}

const consoleUrl = (api: ApiClient, id: string) => `${api.url}/console/hotfixes/${encodeURIComponent(id)}`;
const path = (id: string) => `/hotfixes/${encodeURIComponent(id)}`;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.done;
  const program = new Command('hotfix')
    .description('Start and follow hotfixes: one guarded road from a request to production.')
    .option('--json', 'print the service’s JSON (for scripts)')
    .option('--url <url>', 'the service (default: HOTFIX_URL or the config file)')
    .addHelpText('after', '\nCredentials: HOTFIX_TOKEN, or `token:` in ~/.config/hotfix/cli.yaml (HOTFIX_CONFIG).\nExit codes: 0 done, 1 refused, 2 usage, 3 a person must act.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(hotfix --help lists the commands)');

  const client = (): ApiClient => {
    const g = program.opts<Globals>();
    const s = loadCliSettings(io.env, g.url);
    for (const w of s.warnings) io.err(`warning: ${w}`);
    return createApiClient(s.url, s.token);
  };
  const json = () => program.opts<Globals>().json === true;
  /** A command that changes a hotfix: show the outcome; a state that needs a person is exit 3. */
  const acted = (api: ApiClient, body: unknown, verb: string) => {
    const h = body as Shown;
    if (json()) io.out(JSON.stringify(body, null, 2));
    else io.out(`${verb}: ${line(h)}${waitsFor(h) ? `\n  ${waitsFor(h)}` : ''}\n  ${consoleUrl(api, h.id)}`);
  };

  program
    .command('start')
    .description('request a hotfix: a branch hotfix/<id> from the newest production tag, then a build')
    .argument('<service>', 'a configured service')
    .argument('<title>', 'what it fixes')
    .option('--commit <sha...>', 'commits to cherry-pick onto the branch, in order')
    .option('--base <tag>', 'branch from this production tag instead of the newest')
    .action(async (service: string, title: string, o: { commit?: string[]; base?: string }) => {
      const api = client();
      const res = await api.post('/hotfixes', { service, title, commits: o.commit ?? [], ...(o.base ? { baseRef: o.base } : {}) });
      acted(api, res.body, 'started');
    });

  program
    .command('list')
    .description('hotfixes, newest first')
    .option('--service <name>', 'only this service')
    .addOption(new Option('--state <state>', 'only in this state').choices(STATES))
    .action(async (o: { service?: string; state?: string }) => {
      const api = client();
      const q = new URLSearchParams({ ...(o.service ? { service: o.service } : {}), ...(o.state ? { state: o.state } : {}) });
      const res = await api.get(`/hotfixes${q.size ? `?${q}` : ''}`);
      const items = (res.body as { items: Shown[] }).items;
      if (json()) return io.out(JSON.stringify(res.body, null, 2));
      io.out(items.length ? items.map((h) => `${line(h)}${waitsFor(h) ? `\n    ${waitsFor(h)}` : ''}`).join('\n') : 'No hotfixes.');
    });

  program
    .command('status')
    .description('where a hotfix stands (exit 3 when a person must act)')
    .argument('<id>')
    .action(async (id: string) => {
      const api = client();
      const h = (await api.get(path(id))).body as Shown;
      io.out(json() ? JSON.stringify(h, null, 2) : details(h, consoleUrl(api, id)));
      code = exitFor(h.state);
    });

  program
    .command('watch')
    .description('follow a hotfix until it ends or a person must act')
    .argument('<id>')
    .option('--interval <seconds>', 'how often to look', '2')
    .action(async (id: string, o: { interval: string }) => {
      const every = Number(o.interval);
      if (!Number.isFinite(every) || every < 0.2) throw new UsageError('--interval must be a number of seconds, at least 0.2');
      const api = client();
      if (!json()) io.out(`Following ${id}: ${consoleUrl(api, id)}`);
      let last: HotfixState | null = null;
      for (let tick = 0; ; tick++) {
        const h = (await api.get(path(id))).body as Shown;
        const ended = TERMINAL.includes(h.state) || NEEDS_PERSON.includes(h.state);
        if (json()) {
          if (h.state !== last) io.out(JSON.stringify({ id: h.id, state: h.state, at: new Date().toISOString(), waiting: waitsFor(h) || null }));
        } else if (io.tty) {
          io.out(`\r\x1b[2K${ended ? '●' : SPINNER[tick % SPINNER.length]} ${h.state} for ${since(h.updatedAt)}${waitsFor(h) ? ` — ${waitsFor(h)}` : ''}${ended ? '\n' : ''}`);
        } else if (h.state !== last) {
          io.out(`${new Date().toISOString()} ${h.state}${waitsFor(h) ? ` — ${waitsFor(h)}` : ''}`);
        }
        last = h.state;
        if (ended) {
          code = exitFor(h.state);
          return;
        }
        await new Promise((r) => setTimeout(r, every * 1000));
      }
    });

  const simple = (name: string, description: string, route: string, verb: string, body: (o: Record<string, unknown>) => unknown, setup: (c: Command) => Command = (c) => c) =>
    setup(program.command(name).description(description).argument('<id>')).action(async (id: string, o: Record<string, unknown>) => {
      const api = client();
      const res = await api.post(`${path(id)}/${route}`, body(o));
      acted(api, res.body, verb);
    });

  simple('build', 'build the hotfix branch again (after pushing a fix)', 'builds', 'building', () => ({}));
  simple('promote', 'approve the build under QA (as yourself)', 'promote', 'promoted', (o) => ({
    ...(typeof o.comment === 'string' ? { comment: o.comment } : {}),
    ...(typeof o.override === 'string' ? { override: o.override } : {}),
    ...(o.confirmNoChange === true ? { confirmNoChange: true } : {}),
  }), (c) => c.option('--comment <text>').option('--override <reason>', 'promote through a freeze window (needs the override group)').option('--confirm-no-change', 'the build has no change from production; promote it anyway'));
  simple('reject', 'reject the build under QA', 'reject', 'rejected', (o) => ({ reason: o.reason }), (c) => c.requiredOption('--reason <text>', 'why (the requester is told)'));
  simple('rollback', 'put the previous production artifact back', 'rollback', 'rolling back', (o) => ({ reason: o.reason }), (c) => c.requiredOption('--reason <text>', 'why (goes into the rollback tag and Slack)'));
  simple('retry', 'go on after a person fixed what needed attention', 'retry', 'retried', () => ({}));
  simple('cancel', 'stop a hotfix that has not reached production', 'cancel', 'cancelled', (o) => ({ reason: typeof o.reason === 'string' ? o.reason : '' }), (c) => c.option('--reason <text>'));

  program
    .command('evidence')
    .description('the audit record of a hotfix (Markdown; JSON with --json)')
    .argument('<id>')
    .action(async (id: string) => {
      const api = client();
      const res = await api.get(`${path(id)}/evidence${json() ? '' : '.md'}`);
      io.out(json() ? JSON.stringify(res.body, null, 2) : res.text);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.done : EXIT.usage;
    if (err instanceof UsageError) {
      io.err(`hotfix: ${err.message}`);
      return EXIT.usage;
    }
    if (err instanceof ApiRefused) {
      if (json() && err.body) io.out(JSON.stringify(err.body, null, 2));
      io.err(`hotfix: ${err.status ? `${err.status} ${err.code}: ` : ''}${err.message}`);
      // A request the service could not parse, or credentials it does not know: the call is wrong.
      return err.status === 400 || err.status === 401 ? EXIT.usage : EXIT.refused;
    }
    throw err;
  }
}
