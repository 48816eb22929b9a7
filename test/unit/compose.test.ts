// The docker compose stack, checked without a Docker engine: docker-compose.yml, the
// Dockerfiles, .dockerignore, .env.example and config/hotfix.compose.yaml are parsed and must
// agree with each other and with what `npm run build` produces. `docker compose config` runs
// too, but only where a compose CLI is installed; nothing else here needs Docker.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { WORKER_NODE_FLAGS } from '../../src/node-flags.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const exists = (path: string): boolean => existsSync(join(ROOT, path));
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing: ${what}`);
  return value;
}

const HOTFIX = ['hotfix-api', 'hotfix-worker'] as const;
const SERVICES = [...HOTFIX, 'redis', 'jenkins', 'mailpit'] as const;
const CONFIG_FILE = 'config/hotfix.compose.yaml';

// --- .env.example ----------------------------------------------------------------------------

interface EnvExampleEntry {
  value: string;
  /** The `# generate: <command>` line above it, if any (deploy/make-env.sh runs it). */
  generate: string | undefined;
}

function parseEnvExample(text: string): Map<string, EnvExampleEntry> {
  const entries = new Map<string, EnvExampleEntry>();
  let generate: string | undefined;
  for (const line of text.split('\n')) {
    const hint = /^# generate: (.+)$/.exec(line);
    if (hint) generate = hint[1]?.trim();
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!assignment) continue;
    const [, name = '', raw = ''] = assignment;
    if (entries.has(name)) throw new Error(`.env.example defines ${name} twice`);
    entries.set(name, { value: raw.replace(/^(["'])(.*)\1$/, '$2'), generate });
    generate = undefined;
  }
  return entries;
}

/** What a `generate:` command prints: `openssl rand -hex N`, optionally as `echo "PREFIX$(…)"`. */
function generated(command: string): string {
  const match = /^(?:echo "([^"$]*)\$\()?openssl rand -hex (\d+)(\)")?$/.exec(command);
  if (!match || (match[1] === undefined) !== (match[3] === undefined)) throw new Error(`unexpected generate command: ${command}`);
  return `${match[1] ?? ''}${randomBytes(Number(match[2])).toString('hex')}`;
}

// --- compose-style ${VAR} interpolation (what docker compose does with .env) ------------------

const COMPOSE_TOKEN = /\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([^}]*)\}|)/g;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;

/** The variables a compose string refers to; throws on what compose calls an invalid template. */
function composeVariables(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(COMPOSE_TOKEN)) {
    if (m[1] !== undefined) continue;
    const braced = m[3] === undefined ? undefined : BRACED.exec(m[3]);
    const name = m[2] ?? braced?.[1];
    if (name === undefined) throw new Error(`invalid interpolation "${m[0]}" in "${text}"`);
    names.push(name, ...composeVariables(braced?.[3] ?? '')); // defaults and messages are templates too
  }
  return names;
}

function interpolateCompose(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(COMPOSE_TOKEN, (whole, dollar: string | undefined, bare: string | undefined, braced: string | undefined) => {
    if (dollar !== undefined) return '$';
    if (bare !== undefined) return env[bare] ?? '';
    const m = BRACED.exec(braced ?? '');
    if (!m) throw new Error(`invalid interpolation "${whole}"`);
    const [, name = '', op, arg = ''] = m;
    const value = env[name];
    const unset = value === undefined;
    const empty = unset || value === '';
    switch (op) {
      case undefined: return value ?? '';
      case ':-': return empty ? arg : value;
      case '-': return unset ? arg : value;
      case ':?': if (empty) throw new Error(`required variable ${name} is missing a value: ${arg}`); return value;
      case '?': if (unset) throw new Error(`required variable ${name} is missing a value: ${arg}`); return value;
      case ':+': return empty ? '' : arg;
      case '+': return unset ? '' : arg;
      default: throw new Error(`invalid interpolation "${whole}"`);
    }
  });
}

/** Every string value in a parsed YAML tree, with where it is. Keys are not interpolated. */
function stringValues(node: unknown, path = ''): Array<[string, string]> {
  if (typeof node === 'string') return [[path, node]];
  if (Array.isArray(node)) return node.flatMap((v, i) => stringValues(v, `${path}[${i}]`));
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => stringValues(v, path === '' ? k : `${path}.${k}`));
  }
  return [];
}

function mapStrings(node: unknown, fn: (s: string) => string): unknown {
  if (typeof node === 'string') return fn(node);
  if (Array.isArray(node)) return node.map((v) => mapStrings(v, fn));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return node;
}

/** `${NAME}` as the service's own config loader reads it (`$${` is a literal). */
function configVariables(text: string): string[] {
  const names = new Set<string>();
  for (const [, value] of stringValues(parse(text))) {
    for (const m of value.matchAll(/\$?\$\{([^}]*)\}/g)) if (!m[0].startsWith('$$')) names.add(m[1] ?? '');
  }
  return [...names];
}

// --- the compose file's shape: only what is checked here ---------------------------------------

const words = z.union([z.string().transform((s) => s.split(/\s+/).filter(Boolean)), z.array(z.string())]);
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? '' : String(v)));

const serviceSchema = z.object({
  image: z.string().optional(),
  build: z
    .union([
      z.string().transform((context) => ({ context, dockerfile: undefined, additional_contexts: undefined })),
      z.object({ context: z.string(), dockerfile: z.string().optional(), additional_contexts: z.record(z.string(), z.string()).optional() }),
    ])
    .optional(),
  command: words.optional(),
  entrypoint: words.optional(),
  init: z.boolean().optional(),
  environment: z
    .union([
      z.record(z.string(), scalar),
      z.array(z.string()).transform((list) => Object.fromEntries(list.map((e) => [e.split('=')[0] ?? e, e.includes('=') ? e.slice(e.indexOf('=') + 1) : '']))),
    ])
    .default({}),
  ports: z
    .array(z.union([z.string(), z.number(), z.object({ target: z.coerce.number(), published: z.union([z.string(), z.number()]).optional(), host_ip: z.string().optional(), protocol: z.string().optional() })]))
    .default([]),
  expose: z.array(z.union([z.string(), z.number()])).default([]),
  volumes: z
    .array(z.union([z.string(), z.object({ type: z.string(), source: z.string().optional(), target: z.string(), read_only: z.boolean().optional() })]))
    .default([]),
  healthcheck: z.object({ test: words.optional(), disable: z.boolean().optional() }).optional(),
  depends_on: z
    .union([
      z.array(z.string()).transform((list) => Object.fromEntries(list.map((s) => [s, { condition: 'service_started' }]))),
      z.record(z.string(), z.object({ condition: z.string().default('service_started') })),
    ])
    .default({}),
  stop_grace_period: z.string().optional(),
});
type ComposeService = z.output<typeof serviceSchema>;

const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown()).nullable().default({}),
});

interface Port { hostIp: string; published: number | undefined; target: number; protocol: string }

function ports(service: ComposeService): Port[] {
  return service.ports.flatMap((p): Port[] => {
    if (typeof p === 'object') {
      return [{ hostIp: p.host_ip ?? '0.0.0.0', published: p.published === undefined ? undefined : Number(p.published), target: p.target, protocol: p.protocol ?? 'tcp' }];
    }
    const [spec = '', protocol = 'tcp'] = String(p).split('/');
    const parts = spec.split(':');
    const target = parts.pop() ?? '';
    const published = parts.pop();
    const hostIp = parts.length > 0 ? parts.join(':') : '0.0.0.0';
    const range = (s: string): number[] => {
      const [a = '', b = a] = s.split('-');
      return Array.from({ length: Number(b) - Number(a) + 1 }, (_, i) => Number(a) + i);
    };
    const targets = range(target);
    const hosts = published === undefined || published === '' ? targets.map(() => undefined) : range(published);
    return targets.map((t, i) => ({ hostIp, published: hosts[i], target: t, protocol }));
  });
}

interface Mount { type: 'bind' | 'volume'; source: string | undefined; target: string; readOnly: boolean }

function mounts(service: ComposeService): Mount[] {
  return service.volumes.map((v): Mount => {
    if (typeof v === 'object') return { type: v.type === 'bind' ? 'bind' : 'volume', source: v.source, target: v.target, readOnly: v.read_only ?? false };
    const parts = v.split(':');
    if (parts.length === 1) return { type: 'volume', source: undefined, target: v, readOnly: false };
    const [source = '', target = '', mode = ''] = parts;
    return { type: /^[./~]/.test(source) ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
  });
}

/** A bind mount's source as a path relative to the repository root. */
const repoPath = (source: string): string => posix.normalize(source).replace(/^\.\//, '').replace(/\/$/, '');

function durationMs(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return total;
}

// --- Dockerfiles -------------------------------------------------------------------------------

interface Instruction { keyword: string; args: string }
interface Stage { base: string; name: string | undefined; instructions: Instruction[] }

function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments (and parser directives), also inside continuations
    if (/\\\s*$/.test(line)) {
      pending += `${line.replace(/\\\s*$/, '')} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full !== '') logical.push(full);
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*([\s\S]*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest.replace(/\s+/g, ' ').trim() };
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = instruction.args.split('=');
      args[name] = value;
    } else if (instruction.keyword === 'FROM') {
      const [, image = '', name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args) ?? [];
      stages.push({ base: image.replace(/\$\{?(\w+)\}?/g, (_, n: string) => args[n] ?? ''), name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const find = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);
const runs = (stage: Stage): string[] => find(stage, 'RUN').map((i) => i.args);

function execForm(instruction: Instruction | undefined): string[] {
  if (!instruction) return [];
  const parsed: unknown = JSON.parse(instruction.args.replace(/^CMD\s+/i, ''));
  return z.array(z.string()).parse(parsed);
}

interface Copy { from: string | undefined; sources: string[]; dest: string }

function copies(stage: Stage): Copy[] {
  return find(stage, 'COPY').map((i) => {
    const parts = i.args.split(' ');
    const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
    const paths = parts.filter((p) => !p.startsWith('--'));
    return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
  });
}

function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of find(stage, 'ENV')) for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1] ?? ''] = (m[2] ?? '').replace(/^"(.*)"$/, '$1');
  return env;
}

function workdir(stage: Stage): string {
  return find(stage, 'WORKDIR').at(-1)?.args ?? '/';
}

// --- .dockerignore (moby/patternmatcher semantics: last match wins, parents count) -------------

function ignoreMatcher(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const glob = posix.normalize(l.replace(/^!/, '').replace(/^\/+/, '')).replace(/\/$/, '');
      let re = '';
      for (let i = 0; i < glob.length; i++) {
        const c = glob[i] ?? '';
        if (c === '*' && glob[i + 1] === '*') {
          re += '.*';
          i += glob[i + 2] === '/' ? 2 : 1;
        } else if (c === '*') re += '[^/]*';
        else if (c === '?') re += '[^/]';
        else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { negated, re: new RegExp(`^${re}$`) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const p of patterns) if (prefixes.some((prefix) => p.re.test(prefix))) excluded = !p.negated;
    return excluded;
  };
}

function filesUnder(path: string): string[] {
  if (!statSync(join(ROOT, path)).isDirectory()) return [path];
  return readdirSync(join(ROOT, path)).flatMap((entry) => filesUnder(`${path}/${entry}`));
}

// --- the files, parsed once --------------------------------------------------------------------

const envExample = parseEnvExample(read('.env.example'));
/** A .env as `sh deploy/make-env.sh` writes it from .env.example. */
const dotenv: Record<string, string> = Object.fromEntries(
  [...envExample].map(([name, e]) => [name, e.value === '' && e.generate ? generated(e.generate) : e.value]),
);
const composeText = read('docker-compose.yml');
const composeRaw: unknown = parse(composeText, { merge: true });
const compose = composeSchema.parse(mapStrings(composeRaw, (s) => interpolateCompose(s, dotenv)));
const uninterpolated = composeSchema.parse(composeRaw);
const service = (name: string): ComposeService => must(compose.services[name], `service ${name} in docker-compose.yml`);
const configText = read(CONFIG_FILE);
const buildTsconfig = z
  .object({ extends: z.string().optional(), include: z.array(z.string()).default([]), compilerOptions: z.object({ outDir: z.string().optional(), rootDir: z.string().optional() }).default({}) })
  .parse(JSON.parse(read('tsconfig.build.json')));
const baseTsconfig = z.object({ compilerOptions: z.object({ outDir: z.string().optional(), rootDir: z.string().optional() }).default({}) }).parse(JSON.parse(read('tsconfig.json')));
const stages = parseDockerfile(read('Dockerfile'));
const runtime = must(stages.at(-1), 'a stage in Dockerfile');

/** Where `npm run build` puts src/main.ts. */
function builtMain(): string {
  const outDir = buildTsconfig.compilerOptions.outDir ?? baseTsconfig.compilerOptions.outDir ?? '.';
  const rootDir = buildTsconfig.compilerOptions.rootDir ?? baseTsconfig.compilerOptions.rootDir ?? '.';
  return posix.normalize(posix.join(outDir, posix.relative(rootDir, 'src/main.ts'))).replace(/\.ts$/, '.js');
}

function parsedConfig(name: string): Config {
  return parseConfig(configText, service(name).environment, CONFIG_FILE);
}

describe('docker compose stack', () => {
  it('has the five services', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICES].sort());
  });

  it('runs hotfix-api and hotfix-worker from one image, with their --role', () => {
    const [api, worker] = HOTFIX.map(service);
    expect(api?.build).toBeDefined();
    expect(worker?.build).toEqual(api?.build);
    expect(worker?.image).toBe(api?.image);
    expect(posix.join(api?.build?.context ?? '', api?.build?.dockerfile ?? 'Dockerfile')).toBe('Dockerfile');
    expect(api?.command).toEqual(['--role', 'api']);
    expect(worker?.command).toEqual(['--role', 'worker']);
    expect(api?.entrypoint, 'the Dockerfile ENTRYPOINT is what runs').toBeUndefined();
  });

  it("starts hotfix-worker with the image's ENTRYPOINT plus the worker's Node flags, and nothing else", () => {
    const image = execForm(find(runtime, 'ENTRYPOINT').at(-1));
    const node = image.indexOf('node');
    expect(node).toBeGreaterThanOrEqual(0);
    expect(service('hotfix-worker').entrypoint).toEqual([...image.slice(0, node + 1), ...WORKER_NODE_FLAGS, ...image.slice(node + 1)]);
    expect(WORKER_NODE_FLAGS.length).toBeGreaterThan(0);
  });

  it('gives both hotfix services the compose config file, mounted where HOTFIX_CONFIG says', () => {
    for (const name of HOTFIX) {
      const s = service(name);
      const mount = mounts(s).find((m) => m.target === s.environment.HOTFIX_CONFIG);
      expect(mount, `${name}: a mount at HOTFIX_CONFIG`).toMatchObject({ type: 'bind', readOnly: true });
      expect(repoPath(mount?.source ?? '')).toBe(CONFIG_FILE);
    }
  });

  it('shares one named data volume between api and worker, at HOTFIX_DATA_DIR', () => {
    const dataDir = envOf(runtime).HOTFIX_DATA_DIR;
    expect(dataDir).toBeDefined();
    const sources = HOTFIX.map((name) => {
      const s = service(name);
      expect(s.environment.HOTFIX_DATA_DIR ?? dataDir).toBe(dataDir);
      const mount = mounts(s).find((m) => m.target === dataDir);
      expect(mount, `${name}: a volume at ${dataDir}`).toMatchObject({ type: 'volume', readOnly: false });
      return mount?.source;
    });
    expect(sources[0]).toBeDefined();
    expect(sources[1]).toBe(sources[0]);
    expect(Object.keys(compose.volumes ?? {})).toContain(sources[0]);
    // The config agrees, so running the image without HOTFIX_DATA_DIR changes nothing.
    expect(parsedConfig('hotfix-api').git.dataDir).toBe(dataDir);
  });

  it('passes every ${VAR} of the config file to both hotfix services, and .env.example defines it', () => {
    const vars = configVariables(configText);
    expect(vars.length).toBeGreaterThan(0);
    for (const name of vars) {
      expect(envExample.has(name), `${name} in .env.example`).toBe(true);
      for (const s of HOTFIX) expect(service(s).environment[name], `${s}: environment.${name}`).toBeTruthy();
    }
  });

  it('takes every ${VAR} of docker-compose.yml from .env.example, and refuses to start without the secrets', () => {
    const raw = stringValues(composeRaw);
    const used = new Set(raw.flatMap(([, value]) => composeVariables(value)));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(envExample.has(name), `${name} in .env.example`).toBe(true);
    // A secret left empty in .env stops `docker compose up` with a message, never an empty secret.
    const emptyEnv = Object.fromEntries([...envExample].map(([name, e]) => [name, e.value]));
    for (const [name, entry] of envExample) {
      if (entry.value !== '' || !used.has(name)) continue;
      const references = raw.filter(([, value]) => composeVariables(value).includes(name));
      for (const [path, value] of references) {
        expect(() => interpolateCompose(value, emptyEnv), `${path} when ${name} is empty`).toThrow(`required variable ${name}`);
      }
    }
  });

  it('documents how to make every empty value of .env.example, and the results pass the config schema', () => {
    for (const [name, entry] of envExample) {
      if (entry.value === '') expect(entry.generate, `${name}: a "# generate:" line`).toBeDefined();
    }
    for (const name of HOTFIX) expect(() => parsedConfig(name)).not.toThrow();
  });

  it('points the config at the compose services, on ports they listen on', () => {
    const config = parsedConfig('hotfix-api');
    const urls = { redis: config.redis.url ?? 'redis://missing', jenkins: config.jenkins.url, smtp: config.smtp.url };
    expect(new URL(urls.redis).hostname).toBe('redis');
    expect(new URL(urls.jenkins).hostname).toBe('jenkins');
    expect(new URL(urls.smtp).hostname).toBe('mailpit');
    for (const [what, url] of Object.entries(urls)) {
      const { hostname, port } = new URL(url);
      const s = service(hostname);
      const listening = [...s.expose.map(Number), ...ports(s).map((p) => p.target)];
      expect(listening, `${what}: ${hostname} listens on ${port}`).toContain(Number(port));
    }
    expect(config.secrets.callbackSecret).toBe(dotenv.HOTFIX_CALLBACK_SECRET);
  });

  it('publishes the API on the port the service listens on, at a PUBLIC_URL that Jenkins reaches too', () => {
    const config = parsedConfig('hotfix-api');
    const api = ports(service('hotfix-api'));
    expect(api.map((p) => p.target)).toContain(config.server.port);
    expect(ports(service('hotfix-worker'))).toEqual([]);
    // Jenkins posts its callbacks to PUBLIC_URL from its own container: localhost is Jenkins there.
    const publicUrl = new URL(config.server.publicUrl);
    expect(['localhost', '127.0.0.1', '::1']).not.toContain(publicUrl.hostname);
    if (publicUrl.hostname === 'hotfix-api') {
      // The stack's own name: one port inside the stack and, through /etc/hosts, from a browser.
      const port = Number(publicUrl.port || 80);
      expect(port).toBe(config.server.port);
      expect(api.map((p) => p.published)).toContain(port);
    }
  });

  it('publishes no host port twice', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of Object.entries(compose.services)) {
      for (const p of ports(s)) {
        if (p.published === undefined) continue;
        for (const [key, owner] of seen) {
          const [ip, port, protocol] = key.split('|');
          const sameIp = ip === p.hostIp || ip === '0.0.0.0' || p.hostIp === '0.0.0.0';
          expect(sameIp && Number(port) === p.published && protocol === p.protocol, `${name} and ${owner} both publish ${p.published}`).toBe(false);
        }
        seen.set(`${p.hostIp}|${p.published}|${p.protocol}`, name);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it('gives every service a healthcheck', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.healthcheck?.disable, name).not.toBe(true);
      const test = s.healthcheck?.test ?? [];
      expect(test.length, `${name}: healthcheck.test`).toBeGreaterThan(1);
      expect(test[0], name).not.toBe('NONE');
    }
  });

  it('makes depends_on name existing services, with a healthcheck where it waits for health', () => {
    const valid = ['service_started', 'service_healthy', 'service_completed_successfully'];
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on)) {
        expect(compose.services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        expect(valid, `${name} → ${dependency}`).toContain(condition);
        if (condition === 'service_healthy') expect(compose.services[dependency]?.healthcheck?.test).toBeDefined();
      }
    }
    for (const name of HOTFIX) expect(service(name).depends_on.redis?.condition).toBe('service_healthy');
  });

  it('lets the hotfix services drain their jobs before they are killed', () => {
    for (const name of HOTFIX) {
      const s = service(name);
      const grace = Number(s.environment.SHUTDOWN_GRACE_MS ?? 10_000);
      expect(durationMs(s.stop_grace_period ?? '10s'), name).toBeGreaterThan(grace);
    }
  });

  it('runs Redis with AOF, noeviction and a named volume', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^redis:7/);
    const command = (redis.command ?? []).join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    const data = mounts(redis).find((m) => m.target === '/data');
    expect(data?.type).toBe('volume');
    expect(Object.keys(compose.volumes ?? {})).toContain(data?.source);
  });

  it('runs Mailpit with its SMTP port inside the stack and its web UI published', () => {
    const mailpit = service('mailpit');
    expect(mailpit.image).toMatch(/^axllent\/mailpit(:|$)/);
    expect(ports(mailpit).map((p) => p.target)).toContain(8025);
  });
});

describe('the hotfix image (Dockerfile)', () => {
  // The stage the runtime copies its files from.
  const build = must(stages.find((s) => copies(runtime).some((c) => c.from !== undefined && c.from === s.name)), 'a build stage the runtime copies from');

  it('builds in one stage and runs in another, from a Node that package.json accepts', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const engines = z.object({ engines: z.object({ node: z.string() }) }).parse(JSON.parse(read('package.json'))).engines.node;
    const wanted = Number(/(\d+)/.exec(engines)?.[1]);
    for (const stage of [build, runtime]) {
      const major = Number(/^node:(\d+)/.exec(stage.base)?.[1]);
      expect(major, stage.base).toBeGreaterThanOrEqual(wanted);
      // git >= 2.38 comes from the distribution: bookworm (2.39) or later.
      expect(stage.base).toMatch(/bookworm|trixie/);
    }
  });

  it('compiles with npm ci and npm run build, and copies the build output into the runtime', () => {
    expect(runs(build).some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs(build).some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    const outDir = builtMain().split('/')[0] ?? '';
    const copied = copies(runtime).find((c) => c.from === build.name && c.sources.some((s) => posix.basename(s) === outDir));
    expect(copied, `COPY --from=${build.name} …/${outDir}`).toBeDefined();
    expect(posix.resolve(workdir(runtime), copied?.dest ?? '')).toBe(posix.join(workdir(runtime), outDir));
  });

  it('starts dist/main.js, which is what npm run build makes of src/main.ts', () => {
    expect(exists('src/main.ts')).toBe(true);
    expect(buildTsconfig.include).toContain('src');
    expect(z.object({ scripts: z.object({ build: z.string() }) }).parse(JSON.parse(read('package.json'))).scripts.build).toContain('tsconfig.build.json');
    const entrypoint = execForm(find(runtime, 'ENTRYPOINT').at(-1));
    const node = entrypoint.indexOf('node');
    expect(node).toBeGreaterThanOrEqual(0);
    expect(entrypoint[node + 1]).toBe(builtMain());
    expect(builtMain()).toBe('dist/main.js');
    const cmd = execForm(find(runtime, 'CMD').at(-1));
    expect(cmd[0]).toBe('--role');
    // An init as PID 1 (tini here, or `init: true` on every service), so SIGTERM reaches Node.
    const init = /(^|\/)tini$/.test(entrypoint[0] ?? '') && entrypoint[1] === '--';
    expect(init || HOTFIX.every((s) => service(s).init === true)).toBe(true);
  });

  it('installs production dependencies only, and never runs npm start', () => {
    const install = runs(runtime).find((r) => /\bnpm ci\b/.test(r));
    expect(install).toMatch(/--omit=dev\b/);
    expect(install).toMatch(/--ignore-scripts\b/);
    for (const i of stages.flatMap((s) => s.instructions)) expect(i.args, i.keyword).not.toMatch(/\bnpm (run )?start\b/);
  });

  it('has git, openssh-client, ca-certificates and tini', () => {
    const apt = runs(runtime).find((r) => /apt-get install/.test(r)) ?? '';
    for (const pkg of ['git', 'openssh-client', 'ca-certificates', 'tini']) expect(apt.split(' '), pkg).toContain(pkg);
  });

  it('runs as a user that is not root, who owns the data volume', () => {
    const user = find(runtime, 'USER').at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const dataDir = envOf(runtime).HOTFIX_DATA_DIR ?? '';
    expect(runs(runtime).some((r) => r.includes(`useradd`) && r.includes(` ${user}`))).toBe(true);
    expect(runs(runtime).some((r) => new RegExp(`chown \\S*${user}\\S* ${dataDir}\\b`).test(r))).toBe(true);
    expect(find(runtime, 'VOLUME').map((v) => v.args).join(' ')).toContain(dataDir);
  });

  it('exposes the port of the config and has a HEALTHCHECK whose script is in the image', () => {
    expect(find(runtime, 'EXPOSE').flatMap((e) => e.args.split(' ')).map((p) => Number(p.split('/')[0]))).toContain(parsedConfig('hotfix-api').server.port);
    const healthcheck = find(runtime, 'HEALTHCHECK').at(-1);
    expect(healthcheck?.args).toBeDefined();
    expect(healthcheck?.args).not.toMatch(/^NONE\b/);
    const test = execForm({ keyword: 'CMD', args: healthcheck?.args.replace(/^(--\S+\s+)*/, '') ?? '' });
    const script = test.find((a) => a.endsWith('.mjs')) ?? '';
    expect(exists(script)).toBe(true);
    expect(copies(runtime).some((c) => c.from === undefined && c.sources.includes(script))).toBe(true);
    // The compose healthchecks run the same script, which the image has.
    for (const name of HOTFIX) expect(service(name).healthcheck?.test).toContain(script);
  });

  it('keeps the build context to what the Dockerfile copies (.dockerignore)', () => {
    const ignored = ignoreMatcher(read('.dockerignore'));
    const sources = stages.flatMap((s) => copies(s)).filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(exists(source), source).toBe(true);
      for (const file of filesUnder(source)) expect(ignored(file), `${file} reaches the build`).toBe(false);
    }
    for (const secret of ['.env', '.git/config', 'node_modules/yaml/package.json', 'dist/main.js', 'data/mirrors', 'config/hotfix.yaml']) {
      expect(ignored(secret), `${secret} stays out of the build context`).toBe(true);
    }
  });
});

describe('the compose Jenkins', () => {
  const jenkins = service('jenkins');
  const env = jenkins.environment;
  const dockerfile = posix.join(jenkins.build?.context ?? '', jenkins.build?.dockerfile ?? 'Dockerfile');
  const image = must(parseDockerfile(read(repoPath(dockerfile))).at(-1), `a stage in ${dockerfile}`);
  /** A path inside the container, as a repository path through the bind mounts. */
  const hostPath = (inside: string): string | undefined => {
    for (const m of mounts(jenkins)) {
      if (m.type === 'bind' && (inside === m.target || inside.startsWith(`${m.target}/`))) return posix.join(repoPath(m.source ?? ''), inside.slice(m.target.length));
    }
    return undefined;
  };
  /** A JCasC value as Jenkins reads it: `${NAME}`, `${NAME:-default}` from the environment, `^${` literal. */
  const casc = (value: string): string =>
    value.replace(/(\^?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, caret: string, name: string, fallback: string | undefined) =>
      caret === '^' ? whole.slice(1) : (env[name] ?? fallback ?? ''),
    );
  const config = parsedConfig('hotfix-api');

  it('is jenkins/jenkins LTS on JDK 17 with the plugins of jenkinsfiles/plugins.txt', () => {
    expect(dockerfile.startsWith('deploy/')).toBe(true);
    expect(image.base).toBe('jenkins/jenkins:lts-jdk17');
    expect(repoPath(jenkins.build?.additional_contexts?.jenkinsfiles ?? '')).toBe('jenkinsfiles');
    const plugins = copies(image).find((c) => c.from === 'jenkinsfiles' && c.sources.includes('plugins.txt'));
    expect(plugins).toBeDefined();
    expect(runs(image).some((r) => r.includes(`jenkins-plugin-cli --plugin-file ${plugins?.dest}`))).toBe(true);
    for (const c of copies(image).filter((c) => c.from === undefined)) {
      for (const source of c.sources) expect(exists(posix.join(jenkins.build?.context ?? '', source)), source).toBe(true);
    }
  });

  it('starts without the setup wizard, configured by JCasC from jenkinsfiles/', () => {
    expect(env.JAVA_OPTS).toContain('-Djenkins.install.runSetupWizard=false');
    expect(hostPath(env.CASC_JENKINS_CONFIG ?? '')).toBe('jenkinsfiles/casc/jenkins.yaml');
    expect(hostPath(env.HOTFIX_JENKINSFILES_DIR ?? '')).toBe('jenkinsfiles');
    // The start-up scripts (the API token of hotfix-bot) are in the image's ref/, replaced at every start.
    const init = copies(image).find((c) => c.from === 'jenkinsfiles' && c.sources.some((x) => x.replace(/\/$/, '') === 'casc/init.groovy.d'));
    expect(init, 'COPY --from=jenkinsfiles casc/init.groovy.d/').toBeDefined();
    expect(runs(image).some((r) => r.includes(init?.dest ?? '?') && r.includes('/usr/share/jenkins/ref/init.groovy.d/') && r.includes('.override'))).toBe(true);
    expect(mounts(jenkins).find((m) => m.target === '/var/jenkins_home')?.type).toBe('volume');
  });

  it('acts as the user, with the token and callback secret, that the service is configured with', () => {
    // The same .env variable on both sides, not two values that happen to agree.
    const references = (name: string, variable: string): string[] => composeVariables(uninterpolated.services[name]?.environment[variable] ?? '');
    for (const name of ['JENKINS_API_TOKEN', 'HOTFIX_CALLBACK_SECRET']) {
      for (const s of ['jenkins', ...HOTFIX]) expect(references(s, name), `${s}: ${name}`).toEqual([name]);
    }
    expect(env.JENKINS_HOTFIX_USER).toBe(config.jenkins.user);
    expect(dotenv.JENKINS_API_TOKEN).toMatch(/^11[0-9a-f]{32}$/); // the format Jenkins accepts for a fixed token
  });

  it('builds the service repositories of the config, in the jobs the service triggers', () => {
    const names = (env.HOTFIX_SERVICES ?? '').split(/[\s,]+/).filter(Boolean);
    expect(names.sort()).toEqual(config.services.map((s) => s.name).sort());
    // The same repository, however each side reaches it (https or ssh, with or without credentials).
    const identity = (url: string): string => {
      const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(url);
      const where = scp ? `${scp[1]}/${scp[2]}` : ((u) => `${u.hostname}${u.pathname}`)(new URL(url));
      return where.replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/{2,}/g, '/');
    };
    for (const s of config.services) {
      const key = `HOTFIX_${s.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_REPO_URL`;
      const jenkinsRepo = env[key] ?? env.HOTFIX_REPO_URL ?? '';
      expect(identity(jenkinsRepo), `${s.name}: ${key} or HOTFIX_REPO_URL`).toBe(identity(s.repo));
    }
  });

  it.skipIf(!exists('jenkinsfiles/jobs.groovy'))('names the jobs as jenkinsfiles/jobs.groovy creates them', () => {
    const seed = read('jenkinsfiles/jobs.groovy');
    const folder = env.HOTFIX_FOLDER ?? /setting\('HOTFIX_FOLDER', '([^']+)'\)/.exec(seed)?.[1];
    const keyOf: Record<string, 'build' | 'qaUp' | 'qaDown' | 'deploy'> = { build: 'build', 'qa-up': 'qaUp', 'qa-down': 'qaDown', deploy: 'deploy' };
    const suffixes = [...seed.matchAll(/suffix: '([^']+)'[^\]]*?stage: '([^']+)'/g)].map((m) => ({ suffix: m[1] ?? '', key: keyOf[m[2] ?? ''] }));
    expect(suffixes.map((x) => x.key).sort()).toEqual(['build', 'deploy', 'qaDown', 'qaUp']);
    for (const s of config.services) {
      for (const { suffix, key } of suffixes) expect(s.jobs[key ?? 'build'], `${s.name}: jobs.${key}`).toBe(`${folder}/${s.name}-${suffix}`);
    }
  });

  it('reads the library and the Jenkinsfiles from a git repository it can reach', () => {
    const repo = env.HOTFIX_JENKINSFILES_REPO ?? '';
    expect(env.HOTFIX_JENKINSFILES_BRANCH).toBeTruthy();
    if (repo.startsWith('file://')) {
      const path = new URL(repo).pathname;
      expect(hostPath(path), `${path} is mounted`).toBe('.git');
      expect(env.JAVA_OPTS).toContain('-Dhudson.plugins.git.GitSCM.ALLOW_LOCAL_CHECKOUT=true');
      expect(runs(image).some((r) => r.includes(`safe.directory ${path}`)), 'git may read the mounted repository').toBe(true);
    } else {
      expect(repo).toMatch(/^(https?|ssh|git):\/\/|^[\w.-]+@[\w.-]+:/);
    }
  });

  it('has its own URL where the browser and its builds find it', () => {
    const url = new URL(env.JENKINS_PUBLIC_URL ?? '');
    const port = Number(url.port || 80);
    expect(ports(jenkins)).toContainEqual(expect.objectContaining({ target: port, published: port }));
  });

  // jenkinsfiles/ is written separately: each check runs once its file is there.
  it.skipIf(!exists('jenkinsfiles/plugins.txt'))('installs the JCasC and Job DSL plugins', () => {
    const plugins = read('jenkinsfiles/plugins.txt').split('\n').map((l) => l.replace(/#.*/, '').trim().split(':')[0]);
    for (const plugin of ['configuration-as-code', 'job-dsl']) expect(plugins, plugin).toContain(plugin);
  });

  it.skipIf(!exists('jenkinsfiles/casc/jenkins.yaml'))('gives JCasC every ${VAR} it needs, and the seed script it names', () => {
    const tree: unknown = parse(read('jenkinsfiles/casc/jenkins.yaml'));
    for (const [path, value] of stringValues(tree)) {
      for (const m of value.matchAll(/(\^?)\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) {
        if (m[1] === '^' || m[3] !== undefined) continue; // ^${ is a literal; :- has a default
        expect(env[m[2] ?? ''], `${path}: \${${m[2]}} in the jenkins environment`).toBeTruthy();
      }
    }
    const scripts = z.object({ jobs: z.array(z.object({ file: z.string().optional() })).default([]) }).parse(tree).jobs.flatMap((j) => (j.file ? [casc(j.file)] : []));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const inRepo = hostPath(script);
      expect(inRepo, `${script} is mounted from the repository`).toBeDefined();
      expect(exists(inRepo ?? ''), `${script} (${inRepo})`).toBe(true);
    }
  });
});

describe('docker compose config', () => {
  const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 10_000 });
  it.skipIf(probe.status !== 0)('accepts the file with a .env made from .env.example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotfix-compose-'));
    try {
      const envFile = join(dir, '.env');
      writeFileSync(envFile, Object.entries(dotenv).map(([k, v]) => `${k}=${v}`).join('\n'));
      const res = spawnSync('docker', ['compose', '--env-file', envFile, '-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
