// Reads the YAML config, replaces ${VAR} from the environment, applies the contract's env
// overrides and validates. The only module that reads process.env (as a default argument).

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { HotfixError } from '../domain/errors.js';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends HotfixError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

export function configPath(env: Env = process.env): string {
  return env.HOTFIX_CONFIG ?? 'config/hotfix.yaml';
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Replace `${NAME}` in every string value; `$${` stays a literal `${`. Collects what is missing. */
function interpolate(value: unknown, env: Env, path: PropertyKey[], problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([^}]*)\}/g, (whole, name: string) => {
      if (whole.startsWith('$$')) return whole.slice(1);
      const resolved = env[name];
      if (resolved === undefined) {
        problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
        return '';
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], problems)]),
    );
  }
  return value;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: string): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

const OVERRIDES: ReadonlyArray<[string, readonly string[]]> = [
  ['PORT', ['server', 'port']],
  ['REDIS_URL', ['redis', 'url']],
  ['PUBLIC_URL', ['server', 'publicUrl']],
  ['HOTFIX_DATA_DIR', ['git', 'dataDir']],
];

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${where}: required`;
  if (issue.code === 'unrecognized_keys') return `${where}: unknown key(s) ${issue.keys.join(', ')}`;
  return `${where}: ${issue.message}`;
}

export function parseConfig(text: string, env: Env = process.env, source = 'config'): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    // The first error is the real one; the rest usually follow from it.
    const first = doc.errors[0]?.message.split('\n')[0] ?? 'unreadable';
    throw new ConfigError([`${source}: not valid YAML: ${first}`]);
  }
  const problems: string[] = [];
  const raw = interpolate(doc.toJS() ?? {}, env, [], problems);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${source}: must be a YAML mapping`]);
  }
  const tree = raw as Record<string, unknown>;
  for (const [name, path] of OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(tree, path, value);
  }
  const result = configSchema.safeParse(tree);
  if (!result.success) problems.push(...result.error.issues.map(describeIssue));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

export function loadConfig(env: Env = process.env): Config {
  const path = configPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (start from config/hotfix.example.yaml, or set HOTFIX_CONFIG)' : '';
    throw new ConfigError([`${path}: cannot read the config file: ${code ?? String(err)}${hint}`]);
  }
  return parseConfig(text, env, path);
}

/** Process settings that are not part of the service's config file. */
export function runtimeOptions(env: Env = process.env): { logLevel: string; shutdownGraceMs: number } {
  const grace = Number(env.SHUTDOWN_GRACE_MS ?? 10_000);
  return { logLevel: env.LOG_LEVEL ?? 'info', shutdownGraceMs: Number.isFinite(grace) && grace >= 0 ? grace : 10_000 };
}
