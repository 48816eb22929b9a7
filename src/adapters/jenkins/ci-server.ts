// CiServer on Jenkins, through the `jenkins` npm client: basic auth with an API token,
// an optional (cached) CSRF crumb, jobs in folders (`a/b`).

import Jenkins from 'jenkins';
import { ExternalServiceError } from '../../domain/errors.js';
import type { CiServer, QueueState, RunInfo } from '../../ports/ci-server.js';
import { jenkinsError, statusOf } from './errors.js';
import * as schema from './schemas.js';
import { triggerOnce } from './trigger-once.js';

export interface JenkinsSettings {
  url: string;
  user: string;
  apiToken: string;
  useCrumb: boolean;
  timeoutMs: number;
}

const CRUMB_TTL_MS = 10 * 60_000;
const RECENT_BUILDS = 'builds[number,url,result,building,timestamp,actions[parameters[name,value]]]{0,50}';

function jobPath(job: string): string {
  return job.split('/').map((part) => `/job/${encodeURIComponent(part)}`).join('');
}

function matches(params: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => params[k] === v);
}

function parse<T>(what: string, parser: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown): T {
  const parsed = parser.safeParse(value);
  if (!parsed.success) throw new ExternalServiceError('jenkins', `${what}: unexpected response shape`, false);
  return parsed.data;
}

export function createJenkinsCiServer(settings: JenkinsSettings): CiServer {
  const authorization = `Basic ${Buffer.from(`${settings.user}:${settings.apiToken}`).toString('base64')}`;
  let crumb: { value: Promise<Jenkins.CrumbData>; at: number } | null = null;

  // Token-authenticated requests need no crumb, but a Jenkins configured to want one still
  // accepts it; fetch it once and reuse it rather than paying a round trip per trigger.
  const crumbIssuer = async (client: Jenkins): Promise<Jenkins.CrumbData> => {
    if (!crumb || Date.now() - crumb.at > CRUMB_TTL_MS) {
      const value = client.crumbIssuer.get().then((raw) => {
        const data = parse('crumb issuer', schema.crumb, raw);
        return { headerName: data.crumbRequestField, headerValue: data.crumb };
      });
      crumb = { value, at: Date.now() };
      value.catch(() => {
        crumb = null;
      });
    }
    return crumb.value;
  };

  const client = new Jenkins({
    baseUrl: settings.url,
    headers: { authorization },
    timeout: settings.timeoutMs,
    ...(settings.useCrumb ? { crumbIssuer } : { crumbIssuer: false }),
  });

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ExternalServiceError) throw err;
      throw jenkinsError(what, err);
    }
  }

  const server: CiServer = {
    triggerOnce(job, parameters, options) {
      return triggerOnce(server, job, parameters, options);
    },

    async trigger(job, parameters) {
      const build = () => client.job.build({ name: job, parameters, delay: '0sec' });
      const queueId = await call(`trigger ${job}`, async () => {
        try {
          return await build();
        } catch (err) {
          // A stale crumb is refused with 403: drop it and try once more with a fresh one.
          if (statusOf(err) === 403 && settings.useCrumb) {
            crumb = null;
            return await build();
          }
          throw err;
        }
      });
      if (typeof queueId !== 'number' || !Number.isFinite(queueId)) {
        throw new ExternalServiceError('jenkins', `trigger ${job}: no queue item in the Location header`, false);
      }
      return { queueId };
    },

    async queueState(queueId): Promise<QueueState> {
      let raw: unknown;
      try {
        raw = await client.queue.item({ number: queueId });
      } catch (err) {
        if (statusOf(err) === 404) return { kind: 'unknown' };
        throw jenkinsError(`queue item ${queueId}`, err);
      }
      const item = parse(`queue item ${queueId}`, schema.queueItem, raw);
      if (item.executable) return { kind: 'started', number: item.executable.number, url: item.executable.url };
      if (item.cancelled) return { kind: 'cancelled' };
      return { kind: 'waiting', why: item.why ?? null };
    },

    async run(job, number): Promise<RunInfo | null> {
      let raw: unknown;
      try {
        raw = await client.build.get({ name: job, number, tree: 'number,url,building,result,timestamp,actions[parameters[name,value]]' });
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw jenkinsError(`build ${job} #${number}`, err);
      }
      const b = parse(`build ${job} #${number}`, schema.build, raw);
      return { number: b.number, url: b.url, building: b.building, result: b.result, timestamp: b.timestamp, parameters: schema.parametersOf(b.actions) };
    },

    async findRuns(job, match) {
      const raw = await call(`list builds of ${job}`, () => client.job.get({ name: job, tree: RECENT_BUILDS }));
      const found: RunInfo[] = [];
      for (const b of parse(`job ${job}`, schema.job, raw).builds) {
        const parameters = schema.parametersOf(b.actions);
        if (!matches(parameters, match)) continue;
        found.push({ number: b.number, url: b.url ?? '', building: b.building ?? false, result: b.result, timestamp: b.timestamp, parameters });
      }
      return found;
    },

    async findQueued(job, match) {
      const raw = await call('list queue', () => client.queue.list({ tree: 'items[id,why,task[name,url],actions[parameters[name,value]]]' }));
      const path = `${jobPath(job)}/`;
      return parse('queue', schema.queueList, raw)
        .filter((item) => (item.task?.url ?? '').endsWith(path) && matches(schema.parametersOf(item.actions), match))
        .map((item) => item.id);
    },

    runUrl(job, number) {
      return `${settings.url}${jobPath(job)}/${number}/`;
    },

    async artifact(job, number, path) {
      const url = `${settings.url}${jobPath(job)}/${number}/artifact/${path.split('/').map(encodeURIComponent).join('/')}`;
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(settings.timeoutMs) });
      } catch (err) {
        throw jenkinsError(`artifact ${path} of ${job} #${number}`, err);
      }
      if (res.status === 404) return null;
      if (!res.ok) throw jenkinsError(`artifact ${path} of ${job} #${number}`, { statusCode: res.status });
      return res.text();
    },

    async archivedReport(job, number) {
      const text = await server.artifact(job, number, 'hotfix-callback.json');
      let json: unknown = null;
      try {
        json = text === null ? null : JSON.parse(text);
      } catch {
        // A half-written or foreign file says nothing; the run's result still stands.
      }
      const parsed = schema.archivedCallback.safeParse(json);
      const data = parsed.success ? parsed.data : {};
      return { commit: data.commit ?? null, artifact: data.artifact ?? null, qaUrl: data.qaUrl ?? null, verifyUrl: data.verifyUrl ?? null };
    },

    async stop(job, number) {
      await call(`stop ${job} #${number}`, () => client.build.stop(job, number));
    },

    async cancelQueued(queueId) {
      await call(`cancel queue item ${queueId}`, () => client.queue.cancel(queueId));
    },
  };
  return server;
}
