import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { EXAMPLE_CONFIG as example, EXAMPLE_ENV as env } from '../helpers/example-config.js';

function problems(text: string, vars: Record<string, string> = env): readonly string[] {
  try {
    parseConfig(text, vars);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('accepts the documented example and applies defaults', () => {
    const config = parseConfig(example, env);
    expect(config.secrets.callbackSecret).toBe(env.HOTFIX_CALLBACK_SECRET);
    expect(config.jenkins.pollIntervalSeconds).toBe(30);
    expect(config.jenkins.useCrumb).toBe(true);
    expect(config.redis.prefix).toBe('hotfix');
    expect(config.services[0]?.qa.timeoutSeconds).toBe(600);
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.git.housekeepingHours).toBe(24);
  });

  it('tidies the mirrors daily unless told otherwise: 0 turns it off, and an interval Node cannot time is refused', () => {
    const withHours = (h: string) => example.replace('  dataDir: ./data ', `  housekeepingHours: ${h}\n  dataDir: ./data `);
    expect(parseConfig(withHours('0'), env).git.housekeepingHours).toBe(0);
    expect(parseConfig(withHours('6'), env).git.housekeepingHours).toBe(6);
    expect(problems(withHours('-1'))).toEqual([expect.stringMatching(/^git\.housekeepingHours: /)]);
    expect(problems(withHours('1000'))).toEqual([expect.stringMatching(/^git\.housekeepingHours: /)]);
  });

  it('leaves the worker seats to the cores unless told: 0 runs every process, a fraction is refused', () => {
    expect(parseConfig(example, env).queue.activeWorkersPerHost).toBeUndefined();
    const withSeats = (n: string) => example.replace('\nservices:', `\nqueue:\n  activeWorkersPerHost: ${n}\nservices:`);
    expect(parseConfig(withSeats('0'), env).queue.activeWorkersPerHost).toBe(0);
    expect(parseConfig(withSeats('3'), env).queue).toMatchObject({ activeWorkersPerHost: 3, concurrency: 16 });
    expect(problems(withSeats('-1'))).toEqual([expect.stringMatching(/^queue\.activeWorkersPerHost: /)]);
    expect(problems(withSeats('1.5'))).toEqual([expect.stringMatching(/^queue\.activeWorkersPerHost: /)]);
  });

  it('names a missing environment variable and where it is used', () => {
    const { GITHUB_TOKEN: _gone, ...partial } = env;
    expect(problems(example, partial)).toContain('services[0].pullRequests.token: environment variable GITHUB_TOKEN is not set');
  });

  it('lets PORT, REDIS_URL, PUBLIC_URL and HOTFIX_DATA_DIR override the file', () => {
    const config = parseConfig(example, { ...env, PORT: '8081', REDIS_URL: 'redis://redis:6380', PUBLIC_URL: 'https://hf.example.org/', HOTFIX_DATA_DIR: '/var/lib/hotfix' });
    expect(config.server.port).toBe(8081);
    expect(config.redis.url).toBe('redis://redis:6380');
    expect(config.server.publicUrl).toBe('https://hf.example.org');
    expect(config.git.dataDir).toBe('/var/lib/hotfix');
  });

  it('reaches Redis through Sentinel: redis.sentinels in the file, or a redis+sentinel:// URL in REDIS_URL', () => {
    const viaEnv = parseConfig(example, { ...env, REDIS_URL: 'redis+sentinel://:s3cret@10.0.0.11:26379,10.0.0.12:26380/hotfix-redis' });
    expect(viaEnv.redis).toMatchObject({ sentinels: [{ host: '10.0.0.11', port: 26379 }, { host: '10.0.0.12', port: 26380 }], name: 'hotfix-redis', sentinelPassword: 's3cret', password: 's3cret' });
    expect(viaEnv.redis.url).toBeUndefined();
    const inFile = example.replace(/^redis:\n {2}url: .*$/m, 'redis:\n  sentinels: [{ host: s1, port: 26379 }, { host: s2, port: 26379 }]\n  name: hotfix-redis\n  replicas: { min: 1, timeoutMs: 500 }');
    const noUrl: Record<string, string> = { ...env };
    const config = parseConfig(inFile, noUrl);
    expect(config.redis).toMatchObject({ sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'hotfix-redis', replicas: { min: 1, timeoutMs: 500 } });
    expect(problems(inFile, { ...noUrl, REDIS_URL: 'redis://other:6379' })).toContain('redis.sentinels: set either redis.url (REDIS_URL) or redis.sentinels, not both');
    expect(problems(example, { ...env, REDIS_URL: 'redis+sentinel://10.0.0.11/hotfix-redis' })).toContain('redis.url: a redis+sentinel:// URL lists host:port,host:port and ends with /<primary name>');
    expect(problems(example.replace(/^redis:\n {2}url: .*$/m, 'redis:'), noUrl)).toContain('redis.url: set redis.url (or REDIS_URL), or redis.sentinels with redis.name');
  });

  it('reports one line per problem, each naming its path', () => {
    const broken = example
      .replace('      deploy: payments-deploy-production\n', '')
      .replace('ttlHours: 24', 'ttlHours: -1')
      .replace('name: payments', 'name: Payments!')
      .replace('production: "prod-{build}"', 'production: "prod"')
      .replace('recipients: [ qa-team@example.com ]', 'recipients: [ not-an-address ]');
    const lines = problems(broken);
    expect(lines).toEqual(
      expect.arrayContaining([
        'services[0].jobs.deploy: required',
        expect.stringMatching(/^services\[0\]\.qa\.ttlHours: /),
        'services[0].name: must match [a-z0-9-]+',
        'services[0].tags.production: needs {build} or {timestamp}: production tags are ordered by them',
        'services[0].qa.recipients[0]: must be an email address',
      ]),
    );
  });

  it('refuses duplicate service names and bad job names', () => {
    const doc = example.replace('services:\n', 'services:\n  - name: payments\n    repo: x\n    branches: { production: master, development: develop }\n    tags: { production: "p-{build}", release: "v{version}" }\n    jobs: { build: "../x", qaUp: a, qaDown: b, deploy: c }\n    qa: { provider: jenkins, ttlHours: 1, recipients: [a@b.co] }\n    approvals: { required: 1, approvers: ["*"] }\n    slack: { channel: "#c" }\n    pullRequests: { provider: none }\n');
    const lines = problems(doc);
    expect(lines).toContain("services[1].name: duplicate service name 'payments'");
    expect(lines.some((l) => l.startsWith('services[0].jobs.build:'))).toBe(true);
  });

  it('takes the seed tag scheme, and says which placeholder a template lacks or may not use', () => {
    const seed = '    tags: { production: "{version}-production-{timestamp}", release: "v{base}-hotfix.{n}", environment: "{version}-{env}-{timestamp}", rollback: "{version}-rollback-{reason}" }\n';
    const withTags = (line: string) => example.replace(/ {4}tags:\n(?: {6}.*\n){2}/, line);
    expect(withTags(seed)).not.toBe(example);
    expect(parseConfig(withTags(seed), env).services[0]?.tags).toMatchObject({ release: 'v{base}-hotfix.{n}', rollback: '{version}-rollback-{reason}' });
    expect(parseConfig(example, env).services[0]?.tags).toMatchObject({ environment: null, rollback: null });
    const lines = problems(withTags('    tags: { production: "{version}-{build}", release: "v{version}-hotfix.{n}", environment: "{version}-{env}", rollback: "{version}-rollback" }\n'));
    expect(lines).toEqual(
      expect.arrayContaining([
        'services[0].tags.release: needs {version} (next patch), or {base} and {n} (the hotfix number on its base), not both',
        'services[0].tags.environment: needs {env} and {timestamp}: one tag per landing, never moved',
        'services[0].tags.rollback: needs {reason}',
      ]),
    );
    // {version} outside `release` is the hotfix's release name, known at request only with {base} and {n}.
    expect(problems(withTags('    tags: { production: "{version}-{build}", release: "v{version}" }\n'))).toContain(
      'services[0].tags.production: {version} needs a release template with {base} and {n} (a name fixed when the hotfix is requested)',
    );
    expect(problems(withTags('    tags: { production: "prod-{build}-{env}", release: "v{version}" }\n'))[0]).toMatch(/^services\[0\]\.tags\.production: may use /);
  });

  it('says so when the YAML itself is broken', () => {
    expect(problems('server: { port: [1, 2\n')[0]).toMatch(/^config: not valid YAML/);
  });

  it('keeps $${ as a literal ${', () => {
    // (a replacer function: a replacement string would read `$$` as an escaped `$`)
    const config = parseConfig(example.replace('from: "Hotfix Bot <hotfix@example.com>"', () => 'from: "Costs $${X} <hotfix@example.com>"'), env);
    expect(config.smtp.from).toBe('Costs ${X} <hotfix@example.com>');
  });
});
