// The config file's shape (CONTRACT.md §2). Keys named in the contract keep their names; the
// rest are additions with defaults. Every rule here produces an error naming its path.

import { z } from 'zod';
import { checkFreezeWindow } from '../adapters/calendar/freeze-calendar.js';

const REF_SAFE = /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!-)[A-Za-z0-9._/-]+$/;
const refName = z.string().regex(REF_SAFE, 'must be a plain git ref name (letters, digits, . _ / -)');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

// Tag templates (README "Tags"): which placeholders each may use, and which it needs. The
// rendered names are also checked with `git check-ref-format` at start-up (tag-templates.ts).
const tagText = z.string().min(1).max(200).refine((t) => REF_SAFE.test(t.replace(/\{\w+\}/g, 'x')), 'must make a plain git tag name (letters, digits, . _ / -)');
const only = (allowed: readonly string[]) => (t: string) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => allowed.includes(m[1] ?? ''));
const has = (p: string) => (t: string) => t.includes(`{${p}}`);

const tags = z
  .object({
    production: tagText
      .refine(only(['build', 'timestamp', 'version', 'base', 'n', 'id']), 'may use {build} {timestamp} {version} {base} {n} {id}')
      .refine((t) => has('build')(t) || has('timestamp')(t), 'needs {build} or {timestamp}: production tags are ordered by them'),
    release: tagText
      .refine(only(['version', 'base', 'n', 'id']), 'may use {version}, or {base} and {n}')
      .refine((t) => (has('version')(t) && !has('base')(t) && !has('n')(t)) || (!has('version')(t) && has('base')(t) && has('n')(t)), 'needs {version} (next patch), or {base} and {n} (the hotfix number on its base), not both'),
    /** Optional: a tag each time a version lands in an environment (QA, production). */
    environment: tagText
      .refine(only(['version', 'env', 'timestamp', 'build', 'base', 'n', 'id']), 'may use {version} {env} {timestamp} {build} {base} {n} {id}')
      .refine((t) => has('env')(t) && has('timestamp')(t), 'needs {env} and {timestamp}: one tag per landing, never moved')
      .nullable()
      .default(null),
    /** Optional: a tag on the commit production returns to, for each rollback. */
    rollback: tagText
      .refine(only(['version', 'reason', 'timestamp', 'build', 'base', 'n', 'id']), 'may use {version} {reason} {timestamp} {build} {base} {n} {id}')
      .refine(has('reason'), 'needs {reason}')
      .nullable()
      .default(null),
  })
  .superRefine((t, ctx) => {
    // {version} outside `release` is this hotfix's release name: known early only when {base}/{n} name it.
    const fixed = has('base')(t.release) && has('n')(t.release);
    for (const key of ['production', 'environment', 'rollback'] as const) {
      const template = t[key];
      if (!template || fixed) continue;
      for (const p of ['version', 'base', 'n']) {
        if (has(p)(template)) ctx.addIssue({ code: 'custom', path: [key], message: `{${p}} needs a release template with {base} and {n} (a name fixed when the hotfix is requested)` });
      }
    }
  });

// Jenkins job names, folders separated by '/'; no URL or path tricks.
const jobName = z
  .string()
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a Jenkins job name, folders as a/b')
  .refine((j) => !j.split('/').includes('..'), 'must not contain ..');

const email = z.email({ error: 'must be an email address' });

const approverPattern = z
  .string()
  .regex(/^[^\s@]+@[^\s@]+$|^\*$/, 'must be an email address or a glob like *@example.com');

const approvalGroup = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a short name ([a-z0-9_-])'),
  required: z.number().int().min(1).max(10),
  members: z.array(approverPattern).min(1),
});

/** `{required, approvers}` (one group) or `groups` (every group must be met). */
const approvals = z
  .object({
    required: z.number().int().min(1).max(10).optional(),
    approvers: z.array(approverPattern).min(1).optional(),
    groups: z.array(approvalGroup).min(1).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.groups && (a.required !== undefined || a.approvers !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: 'use either groups or required/approvers, not both' });
    } else if (!a.groups && (a.required === undefined || a.approvers === undefined)) {
      ctx.addIssue({ code: 'custom', path: [a.required === undefined ? 'required' : 'approvers'], message: 'required (or use groups)' });
    }
    const names = (a.groups ?? []).map((g) => g.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['groups', i, 'name'], message: `duplicate group name '${n}'` });
    });
  })
  .transform((a): { groups: Array<z.infer<typeof approvalGroup>> } | { required: number; approvers: string[] } =>
    a.groups ? { groups: a.groups } : { required: a.required ?? 1, approvers: a.approvers ?? [] },
  );

const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO date-time with a time zone, e.g. 2026-12-20T00:00:00Z' });

/** A freeze window: a date range, or a recurring start (cron, in a time zone) lasting durationHours. */
export const freezeWindow = z.union([
  z.strictObject({ name: z.string().min(1).max(100), from: isoInstant, to: isoInstant }).refine((f) => Date.parse(f.to) > Date.parse(f.from), { message: 'to must be after from', path: ['to'] }),
  z
    .strictObject({
      name: z.string().min(1).max(100),
      cron: z.string().min(9).max(100),
      durationHours: z.number().positive().max(24 * 31),
      timezone: z.string().min(1).default('UTC'),
    })
    .superRefine((w, ctx) => {
      const problem = checkFreezeWindow(w);
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: `cron or timezone not understood: ${problem}` });
    }),
]);

/** Checks of production after a deploy (CONTRACT.md §9). */
const verification = z.object({
  windowSeconds: z.number().positive().max(24 * 3600).default(180),
  intervalSeconds: z.number().positive().max(3600).default(10),
  failuresInARow: z.number().int().min(1).max(100).default(3),
  onInconclusive: z.enum(['rollback', 'pass']).default('rollback'),
  http: z
    .array(
      z.object({
        url: httpUrl,
        status: z.number().int().min(100).max(599).default(200),
        bodyContains: z.string().min(1).nullable().default(null),
        timeoutSeconds: z.number().positive().max(60).default(5),
      }),
    )
    .default([]),
  prometheus: z
    .object({
      url: httpUrl,
      query: z.string().min(1).max(2000),
      max: z.number().nullable().default(null),
      min: z.number().nullable().default(null),
      timeoutSeconds: z.number().positive().max(60).default(5),
    })
    .refine((p) => p.max !== null || p.min !== null, { message: 'give max (or min): the threshold the value must stay within', path: ['max'] })
    .nullable()
    .default(null),
});

const pullRequests = z.discriminatedUnion('provider', [
  z.object({
    provider: z.literal('github'),
    apiUrl: httpUrl.default('https://api.github.com'),
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name'),
    token: z.string().min(1),
  }),
  z.object({
    provider: z.literal('gitlab'),
    apiUrl: httpUrl.default('https://gitlab.com/api/v4'),
    repository: z.string().min(1, 'must be a project id or group/name path'),
    token: z.string().min(1),
  }),
  z.object({ provider: z.literal('none') }),
]);

const service = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+'),
    repo: z.string().min(1),
    branches: z.object({ production: refName, development: refName }),
    tags,
    jobs: z.object({ build: jobName, qaUp: z.string().min(1), qaDown: z.string().min(1), deploy: jobName }),
    qa: z.object({
      provider: z.enum(['jenkins', 'command']),
      ttlHours: z.number().positive().max(24 * 30),
      recipients: z.array(email).min(1),
      timeoutSeconds: z.number().int().positive().max(3600).default(600),
      /** command provider: environment variables of the service passed on to the commands. */
      passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')).default([]),
    }),
    approvals,
    freezes: z.array(freezeWindow).default([]),
    /** The approval group whose member may promote through a freeze, with a reason. */
    freezeOverride: z.object({ group: z.string().min(1) }).nullable().default(null),
    /** Absent: a deploy that succeeds is released at once (tagged, merged). */
    verification: verification.nullable().default(null),
    /** A build with no change from the production tag: promote after an explicit confirmation, or never. */
    promoteWithoutChanges: z.enum(['confirm', 'refuse']).default('confirm'),
    slack: z.object({ channel: z.string().min(1) }),
    pullRequests,
  })
  .superRefine((s, ctx) => {
    const group = s.freezeOverride?.group;
    if (group && !('groups' in s.approvals && s.approvals.groups.some((g) => g.name === group))) {
      ctx.addIssue({ code: 'custom', path: ['freezeOverride', 'group'], message: `must name one of approvals.groups (got '${group}')` });
    }
    if (s.qa.provider === 'jenkins') {
      for (const key of ['qaUp', 'qaDown'] as const) {
        if (!jobName.safeParse(s.jobs[key]).success) {
          ctx.addIssue({ code: 'custom', path: ['jobs', key], message: 'must be a Jenkins job name when qa.provider is jenkins' });
        }
      }
    }
  });

export const configSchema = z
  .object({
  server: z.object({
    port: z.coerce.number().int().min(0).max(65535).default(3000),
    publicUrl: httpUrl.transform((u) => u.replace(/\/+$/, '')),
    bodyLimit: z.string().default('64kb'),
    trustProxy: z.union([z.boolean(), z.number(), z.string()]).default(false),
    /** The time zone times are shown in on the pages behind the email links (IANA name). */
    timeZone: z
      .string()
      .default('UTC')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Europe/Berlin'),
    /** /metrics (with /healthz, /readyz) on this port, and not on the public one; a worker-only process serves only these. */
    metricsPort: z.coerce.number().int().min(0).max(65535).optional(),
    /** Requests per minute per client address; 0 switches a limit off. */
    rateLimits: z
      .object({ api: z.number().int().min(0).default(600), actions: z.number().int().min(0).default(30) })
      .default({ api: 600, actions: 30 }),
  }),
  redis: z
    .object({
      /** redis://, rediss:// (TLS), or redis+sentinel://[:password@]host:port,host:port/<primary name>. */
      url: z.string().regex(/^(rediss?|redis\+sentinel):\/\//, 'must be a redis://, rediss:// or redis+sentinel:// URL').optional(),
      /** Redis Sentinel instead of `url`: the sentinels' addresses and the primary's name. */
      sentinels: z.array(z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) })).min(1).optional(),
      name: z.string().min(1).default('mymaster'),
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      sentinelPassword: z.string().min(1).optional(),
      /** TLS to the data nodes behind Sentinel (with a URL, write rediss://). */
      tls: z.boolean().default(false),
      /**
       * Replication guarantee: a hotfix write counts once `min` replicas confirm it (WAIT), within
       * `timeoutMs`; otherwise the caller is told it may not be done (503; jobs retry). 0: off.
       */
      replicas: z.object({ min: z.number().int().min(0).max(10).default(0), timeoutMs: z.number().int().positive().max(60_000).default(1000) }).default({ min: 0, timeoutMs: 1000 }),
      prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must match [A-Za-z0-9_-]+').default('hotfix'),
    })
    .superRefine((r, ctx) => {
      if (!r.url && !r.sentinels) ctx.addIssue({ code: 'custom', path: ['url'], message: 'set redis.url (or REDIS_URL), or redis.sentinels with redis.name' });
      if (r.url && r.sentinels) ctx.addIssue({ code: 'custom', path: ['sentinels'], message: 'set either redis.url (REDIS_URL) or redis.sentinels, not both' });
      if (r.url?.startsWith('redis+sentinel://') && !parseSentinelUrl(r.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a redis+sentinel:// URL lists host:port,host:port and ends with /<primary name>' });
    })
    .transform((r) => {
      const parsed = r.url?.startsWith('redis+sentinel://') ? parseSentinelUrl(r.url) : null;
      if (!parsed) return r;
      const { url: _url, ...rest } = r;
      return { ...rest, sentinels: parsed.sentinels, name: parsed.name, ...(parsed.password ? { sentinelPassword: parsed.password, password: rest.password ?? parsed.password } : {}) };
    }),
  secrets: z.object({
    linkSigningKey: z.string().min(32, 'must be at least 32 characters'),
    callbackSecret: z.string().min(16, 'must be at least 16 characters'),
    /** Each is one `admin` principal named `api` (auth.tokens gives principals of their own). */
    apiTokens: z.array(z.string().min(16, 'must be at least 16 characters')).default([]),
    /** Signs evidence bundles (GET …/evidence); derived from linkSigningKey when unset. */
    evidenceSigningKey: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Old keys still accepted, so rotating a key does not break links already mailed. */
    previousLinkSigningKeys: z.array(z.string().min(32)).default([]),
    previousCallbackSecrets: z.array(z.string().min(16)).default([]),
  }),
  auth: z
    .object({
      tokens: z
        .array(
          z
            .object({
              principal: z.string().min(1).max(254).regex(/^[^\s]+$/, 'must be an email address or a system name, without spaces'),
              roles: z.array(z.enum(['requester', 'approver', 'operator', 'admin'])).min(1),
              token: z.string().min(16, 'must be at least 16 characters').optional(),
              tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (sha256 of the token)').optional(),
            })
            .refine((t) => (t.token === undefined) !== (t.tokenSha256 === undefined), { message: 'give token or tokenSha256, exactly one', path: ['token'] }),
        )
        .default([]),
      oidc: z
        .object({
          issuer: httpUrl,
          audience: z.string().min(1),
          jwksUrl: httpUrl,
          principalClaim: z.string().min(1).default('email'),
          rolesClaim: z.string().min(1).default('roles'),
          /** Seconds of clock skew tolerated on exp/nbf/iat. */
          clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
        })
        .optional(),
    })
    .default({ tokens: [] }),
  /** Freeze windows for every service (each service may add its own). */
  freezes: z.array(freezeWindow).default([]),
  jenkins: z.object({
    url: httpUrl.transform((u) => u.replace(/\/+$/, '')),
    user: z.string().min(1),
    apiToken: z.string().min(1),
    pollIntervalSeconds: z.number().positive().default(30),
    useCrumb: z.boolean().default(true),
    requestTimeoutSeconds: z.number().positive().default(30),
    deployTimeoutMinutes: z.number().positive().default(60),
  }),
  smtp: z.object({
    url: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL'),
    from: z.string().min(3),
  }),
  slack: z.object({
    token: z.string().min(1),
    /** The Slack app's signing secret: turns on Promote/Reject buttons (POST /slack/actions). */
    signingSecret: z.string().min(16, 'must be the Slack app’s signing secret (Basic Information → App Credentials)').optional(),
    /** Still accepted while a rotated signing secret reaches every request. */
    previousSigningSecrets: z.array(z.string().min(16)).default([]),
    apiUrl: httpUrl.default('https://slack.com/api/').transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  }),
  git: z.object({
    dataDir: z.string().min(1).default('./data'),
    author: z.object({ name: z.string().min(1), email }),
    timeoutSeconds: z.number().positive().default(300),
    backmergeCheckSeconds: z.number().positive().default(300),
    /** A hotfix whose request died before its branch was recorded is finished by a job after this. */
    branchRecoverySeconds: z.number().positive().default(120),
    /**
     * How often each worker tidies the mirrors (adapters/git/housekeeping.ts); 0: never, when
     * something else maintains them. At most 24 days: longer overflows Node's timers, which
     * then fire at once.
     */
    housekeepingHours: z.number().nonnegative().max(576).default(24),
  }),
  queue: z
    .object({
      concurrency: z.number().int().positive().max(256).default(16),
      /** A job or lock whose holder stops renewing it (crashed) is taken over after about this long. */
      lockSeconds: z.number().positive().default(30),
      stalledCheckSeconds: z.number().positive().default(30),
      /** How often work recorded but never queued (a crash in between) is looked for. */
      reconcileSeconds: z.number().positive().default(30),
      /**
       * Worker processes running jobs at once on the same cores; the rest stand by and take over
       * from one that stops. Unset: one per core, or every process under a CPU quota (a container
       * limit shares time, not cores). 0: every process runs jobs.
       */
      activeWorkersPerHost: z.number().int().nonnegative().max(1024).optional(),
    })
    .default({ concurrency: 16, lockSeconds: 30, stalledCheckSeconds: 30, reconcileSeconds: 30 }),
  services: z
    .array(service)
    .min(1)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((s, i) => {
        if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate service name '${s.name}'` });
        seen.add(s.name);
      });
    }),
  })
  .superRefine((c, ctx) => {
    if (c.secrets.apiTokens.length === 0 && c.auth.tokens.length === 0 && !c.auth.oidc) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'tokens'], message: 'no way to call the API: configure auth.tokens, auth.oidc or secrets.apiTokens' });
    }
  });

/** `redis+sentinel://[:password@]host:port,host:port/name`, as REDIS_URL can carry it. */
export function parseSentinelUrl(url: string): { sentinels: Array<{ host: string; port: number }>; name: string; password: string | null } | null {
  const m = /^redis\+sentinel:\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/]+)\/([A-Za-z0-9._-]+)\/?$/.exec(url);
  if (!m?.[2] || !m[3]) return null;
  const sentinels = m[2].split(',').map((hp) => {
    const at = hp.lastIndexOf(':');
    const port = Number(hp.slice(at + 1));
    return at > 0 && Number.isInteger(port) && port > 0 && port < 65536 ? { host: hp.slice(0, at), port } : null;
  });
  if (sentinels.some((x) => x === null)) return null;
  return { sentinels: sentinels.filter((x): x is { host: string; port: number } => x !== null), name: m[3], password: m[1] ? decodeURIComponent(m[1]) : null };
}

export type Config = z.infer<typeof configSchema>;
export type FreezeWindowConfig = z.infer<typeof freezeWindow>;
export type ServiceConfig = Config['services'][number];
export type PullRequestConfig = ServiceConfig['pullRequests'];
