// Where the CLI finds the service and its credentials: the environment first (HOTFIX_URL,
// HOTFIX_TOKEN), then a file (HOTFIX_CONFIG, or ~/.config/hotfix/cli.yaml). Never an argument:
// a token on the command line is in every `ps` listing and shell history.

import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const fileSchema = z.strictObject({ url: z.string().url().optional(), token: z.string().min(1).optional() });

export interface CliSettings {
  url: string;
  token: string;
  /** Said once on stderr: e.g. a config file others can read. */
  warnings: string[];
}

export class UsageError extends Error {}

export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  return env.HOTFIX_CONFIG ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'hotfix', 'cli.yaml');
}

export function loadCliSettings(env: NodeJS.ProcessEnv, urlOption: string | undefined): CliSettings {
  const path = defaultConfigPath(env);
  const warnings: string[] = [];
  let file: z.infer<typeof fileSchema> = {};
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || env.HOTFIX_CONFIG) throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (text !== null) {
    let doc: unknown;
    try {
      doc = parse(text) ?? {};
    } catch (err) {
      throw new UsageError(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    const parsed = fileSchema.safeParse(doc);
    if (!parsed.success) throw new UsageError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'} ${i.message}`).join('; ')}`);
    file = parsed.data;
    if (file.token && (statSync(path).mode & 0o077) !== 0) warnings.push(`${path} holds a token and others can read it: chmod 600 ${path}`);
  }
  const url = urlOption ?? env.HOTFIX_URL ?? file.url;
  const token = env.HOTFIX_TOKEN ?? file.token;
  if (!url) throw new UsageError(`no service URL: set HOTFIX_URL, pass --url, or put "url:" in ${path}`);
  if (!/^https?:\/\//.test(url)) throw new UsageError(`the service URL must start with http:// or https:// (got ${url})`);
  if (!token) throw new UsageError(`no API token: set HOTFIX_TOKEN or put "token:" in ${path} (chmod 600)`);
  return { url: url.replace(/\/+$/, ''), token, warnings };
}
