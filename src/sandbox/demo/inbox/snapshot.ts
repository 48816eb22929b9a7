/**
 * Everything the inbox page shows, gathered in one place at the moment the page is asked
 * for: mail and Slack messages from the sinks, hotfixes from the service's own API (as a
 * script would see them), pull requests from the GitHub simulator, refs from the origin,
 * builds from the Jenkins simulator and what runs where.
 */
import type { ApiHotfix } from '../../../domain/approvals.js';
import type { GitHubSim, PullRecord } from '../../github/index.js';
import type { BuildSnapshot, JenkinsSim } from '../../jenkins/index.js';
import type { SlackEphemeral, SlackMessageRecord, SlackSim } from '../../slack/index.js';
import type { SmtpCatcher } from '../../smtp/index.js';
import type { DemoApi } from '../api-client.js';
import type { Environments } from '../environments.js';
import type { DemoOrigin, OriginRef } from '../origin.js';
import type { SimulatorUrls } from './local-links.js';

export interface InboxSources {
  smtp: SmtpCatcher;
  slack: SlackSim;
  github: GitHubSim;
  jenkins: JenkinsSim;
  api: DemoApi;
  origin: DemoOrigin;
  environments: Environments;
  serviceUrl: string;
  repository: string;
}

export interface InboxEmail {
  /** Position in the catcher, for `/mail/<index>`. */
  index: number;
  subject: string;
  from: string;
  to: string[];
  date: Date | undefined;
  text: string;
  hasHtml: boolean;
}

export interface SlackThread {
  root: SlackMessageRecord;
  replies: SlackMessageRecord[];
}

export interface RunningApp {
  name: string;
  url: string;
  version: string;
  hotfixId?: string;
  /** The order total its page shows right now (what a tester compares); absent if it did not answer. */
  total?: string;
}

/** What the app's page at `url` shows as the total: read from the page, never remembered. */
async function totalShownAt(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    const m = /id="total">([^<]*)</.exec(await res.text());
    return m?.[1]?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  } catch {
    return undefined;
  }
}

async function withTotal(app: RunningApp): Promise<RunningApp> {
  const total = await totalShownAt(app.url);
  return total === undefined ? app : { ...app, total };
}

export interface InboxSnapshot {
  at: Date;
  serviceUrl: string;
  simulators: SimulatorUrls;
  hotfixes: ApiHotfix[];
  /** Set when the service's API did not answer. */
  apiError?: string;
  emails: InboxEmail[];
  slack: SlackThread[];
  /** Answers only one person saw in Slack (a refused click, an approval recorded). */
  ephemerals: SlackEphemeral[];
  pulls: PullRecord[];
  refs: OriginRef[];
  builds: BuildSnapshot[];
  production: { url: string; running?: RunningApp; deploy?: number };
  qa: RunningApp[];
}

export async function takeSnapshot(s: InboxSources): Promise<InboxSnapshot> {
  let hotfixes: ApiHotfix[] = [];
  let apiError: string | undefined;
  try {
    hotfixes = await s.api.listHotfixes(20);
  } catch (err) {
    apiError = err instanceof Error ? err.message : String(err);
  }
  const current = s.environments.production.current;
  return {
    at: new Date(),
    serviceUrl: s.serviceUrl,
    simulators: { jenkins: s.jenkins.url, github: s.github.url },
    hotfixes,
    ...(apiError ? { apiError } : {}),
    emails: s.smtp.messages
      .map((m, index) => ({
        index,
        subject: m.parsed.subject ?? '(no subject)',
        from: m.parsed.from?.text ?? m.envelope.from,
        to: m.envelope.to,
        date: m.parsed.date,
        text: m.parsed.text ?? '',
        hasHtml: typeof m.parsed.html === 'string',
      }))
      .reverse(),
    // Copies: a message changed in place (a decision) must show as changed in the next stamp.
    slack: threads(s.slack.messages.map((m) => ({ ...m }))),
    ephemerals: s.slack.ephemerals.slice().reverse(),
    pulls: s.github.pulls.filter((p) => p.repository === s.repository).slice().reverse(),
    refs: await s.origin.refs(),
    builds: s.jenkins.triggers
      .filter((t) => t.number !== undefined && !t.merged)
      .map((t) => s.jenkins.build(t.job, t.number ?? 0))
      .filter((b): b is BuildSnapshot => b !== undefined)
      .reverse()
      .slice(0, 30),
    production: {
      url: s.environments.production.url,
      ...(current ? { running: await withTotal({ name: 'production', url: current.instance.url, version: current.instance.version }), deploy: current.deploy } : {}),
    },
    qa: await Promise.all(s.environments.qa.map((q) => withTotal({ name: q.env, url: `${q.instance.url}/`, version: q.instance.version, hotfixId: q.hotfixId }))),
  };
}

/** Slack's threads: a root message and the replies whose thread_ts is its ts; newest thread first. */
function threads(messages: readonly SlackMessageRecord[]): SlackThread[] {
  const roots = messages.filter((m) => m.thread_ts === undefined);
  return roots.map((root) => ({ root, replies: messages.filter((m) => m.thread_ts === root.ts) })).reverse();
}
