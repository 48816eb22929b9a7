// The config file's shape (CONTRACT.md §2). Keys named in the contract keep their names; the
// rest are additions with defaults. Every rule here produces an error naming its path.

import { z } from 'zod';

const REF_SAFE = /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!-)[A-Za-z0-9._/-]+$/;
const refName = z.string().regex(REF_SAFE, 'must be a plain git ref name (letters, digits, . _ / -)');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const tagTemplate = (placeholder: string) =>
  z
    .string()
    .refine((t) => t.split(placeholder).length === 2, `must contain ${placeholder} exactly once`)
    .refine((t) => REF_SAFE.test(t.replace(placeholder, '1')), 'must make a plain git tag name');

// Jenkins job names, folders separated by '/'; no URL or path tricks.
const jobName = z
  .string()
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a Jenkins job name, folders as a/b')
  .refine((j) => !j.split('/').includes('..'), 'must not contain ..');

const email = z.email({ error: 'must be an email address' });

const approverPattern = z
  .string()
  .regex(/^[^\s@]+@[^\s@]+$|^\*$/, 'must be an email address or a glob like *@example.com');

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
    tags: z.object({ production: tagTemplate('{build}'), release: tagTemplate('{version}') }),
    jobs: z.object({ build: jobName, qaUp: z.string().min(1), qaDown: z.string().min(1), deploy: jobName }),
    qa: z.object({
      provider: z.enum(['jenkins', 'command']),
      ttlHours: z.number().positive().max(24 * 30),
      recipients: z.array(email).min(1),
      timeoutSeconds: z.number().int().positive().max(3600).default(600),
      /** command provider: environment variables of the service passed on to the commands. */
      passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')).default([]),
    }),
    approvals: z.object({
      required: z.number().int().min(1).max(10),
      approvers: z.array(approverPattern).min(1),
    }),
    slack: z.object({ channel: z.string().min(1) }),
    pullRequests,
  })
  .superRefine((s, ctx) => {
    if (s.qa.provider === 'jenkins') {
      for (const key of ['qaUp', 'qaDown'] as const) {
        if (!jobName.safeParse(s.jobs[key]).success) {
          ctx.addIssue({ code: 'custom', path: ['jobs', key], message: 'must be a Jenkins job name when qa.provider is jenkins' });
        }
      }
    }
  });

export const configSchema = z.object({
  server: z.object({
    port: z.coerce.number().int().min(0).max(65535).default(3000),
    publicUrl: httpUrl.transform((u) => u.replace(/\/+$/, '')),
    bodyLimit: z.string().default('64kb'),
    trustProxy: z.union([z.boolean(), z.number(), z.string()]).default(false),
    /** /metrics (with /healthz, /readyz) on this port, and not on the public one; a worker-only process serves only these. */
    metricsPort: z.coerce.number().int().min(0).max(65535).optional(),
    /** Requests per minute per client address; 0 switches a limit off. */
    rateLimits: z
      .object({ api: z.number().int().min(0).default(600), actions: z.number().int().min(0).default(30) })
      .default({ api: 600, actions: 30 }),
  }),
  redis: z.object({
    url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
    prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must match [A-Za-z0-9_-]+').default('hotfix'),
  }),
  secrets: z.object({
    linkSigningKey: z.string().min(32, 'must be at least 32 characters'),
    callbackSecret: z.string().min(16, 'must be at least 16 characters'),
    apiTokens: z.array(z.string().min(16, 'must be at least 16 characters')).min(1),
    /** Old keys still accepted, so rotating a key does not break links already mailed. */
    previousLinkSigningKeys: z.array(z.string().min(32)).default([]),
    previousCallbackSecrets: z.array(z.string().min(16)).default([]),
  }),
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
    apiUrl: httpUrl.default('https://slack.com/api/').transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  }),
  git: z.object({
    dataDir: z.string().min(1).default('./data'),
    author: z.object({ name: z.string().min(1), email }),
    timeoutSeconds: z.number().positive().default(300),
    backmergeCheckSeconds: z.number().positive().default(300),
    /** A hotfix whose request died before its branch was recorded is finished by a job after this. */
    branchRecoverySeconds: z.number().positive().default(120),
  }),
  queue: z
    .object({
      concurrency: z.number().int().positive().max(256).default(16),
      /** A job or lock whose holder stops renewing it (crashed) is taken over after about this long. */
      lockSeconds: z.number().positive().default(30),
      stalledCheckSeconds: z.number().positive().default(30),
      /** How often work recorded but never queued (a crash in between) is looked for. */
      reconcileSeconds: z.number().positive().default(30),
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
});

export type Config = z.infer<typeof configSchema>;
export type ServiceConfig = Config['services'][number];
export type PullRequestConfig = ServiceConfig['pullRequests'];
