/**
 * The JSON Jenkins answers with, in its own shapes and `_class` names, so code written
 * against this simulator reads real Jenkins unchanged. Only the fields clients use are here.
 */
import type { BuildState, JobState, QueueItemState } from './state.js';

const RUN_CLASS = 'org.jenkinsci.plugins.workflow.job.WorkflowRun';
const JOB_CLASS = 'org.jenkinsci.plugins.workflow.job.WorkflowJob';
const FOLDER_CLASS = 'com.cloudbees.hudson.plugins.folder.Folder';

function parametersAction(params: Record<string, string>): object {
  return {
    _class: 'hudson.model.ParametersAction',
    parameters: Object.entries(params).map(([name, value]) => ({ _class: 'hudson.model.StringParameterValue', name, value })),
  };
}

function causeAction(user: string): object {
  return {
    _class: 'hudson.model.CauseAction',
    causes: [{ _class: 'hudson.model.Cause$UserIdCause', shortDescription: `Started by user ${user}`, userId: user, userName: user }],
  };
}

function leafName(fullName: string): string {
  return fullName.split('/').at(-1) ?? fullName;
}

function color(job: JobState): string {
  const last = [...job.builds.values()].at(-1);
  if (!last) return 'notbuilt';
  const base = { SUCCESS: 'blue', UNSTABLE: 'yellow', FAILURE: 'red', ABORTED: 'aborted' } as const;
  const previous = [...job.builds.values()].filter((b) => !b.building).at(-1);
  const shade = previous?.result ? base[previous.result] : 'notbuilt';
  return last.building ? `${shade}_anime` : shade;
}

function buildRef(build: BuildState | undefined): object | null {
  return build ? { _class: RUN_CLASS, number: build.number, url: build.url } : null;
}

export function renderQueueItem(item: QueueItemState, user: string): object {
  const waiting = !item.build && !item.cancelled;
  return {
    _class: waiting ? 'hudson.model.Queue$WaitingItem' : 'hudson.model.Queue$LeftItem',
    actions: [parametersAction(item.params), causeAction(user)],
    blocked: false,
    buildable: false,
    id: item.id,
    inQueueSince: item.inQueueSince,
    params: Object.entries(item.params).map(([k, v]) => `\n${k}=${v}`).join(''),
    stuck: false,
    task: { _class: JOB_CLASS, name: leafName(item.job.name), url: item.job.url, color: color(item.job) },
    url: `queue/item/${item.id}/`,
    why: waiting ? `In the quiet period. Expires in ${Math.max(0, item.startsAt - Date.now())} ms` : null,
    cancelled: item.cancelled,
    executable: buildRef(item.build),
  };
}

export function renderBuild(build: BuildState, user: string): object {
  return {
    _class: RUN_CLASS,
    actions: [parametersAction(build.params), causeAction(user)],
    artifacts: [...build.artifacts.keys()].map((relativePath) => ({
      displayPath: leafName(relativePath),
      fileName: leafName(relativePath),
      relativePath,
    })),
    building: build.building,
    description: null,
    displayName: `#${build.number}`,
    duration: build.duration,
    estimatedDuration: -1,
    fullDisplayName: `${build.job.name.split('/').join(' » ')} #${build.number}`,
    id: String(build.number),
    inProgress: build.building,
    number: build.number,
    queueId: build.queueId,
    result: build.result,
    timestamp: build.timestamp,
    url: build.url,
  };
}

export function renderJob(job: JobState, queued: QueueItemState | undefined): object {
  const builds = [...job.builds.values()].sort((a, b) => b.number - a.number);
  const completed = builds.filter((b) => !b.building);
  return {
    _class: JOB_CLASS,
    name: leafName(job.name),
    fullName: job.name,
    displayName: leafName(job.name),
    url: job.url,
    buildable: true,
    builds: builds.map((b) => ({
      _class: RUN_CLASS,
      number: b.number,
      url: b.url,
      result: b.result,
      building: b.building,
      timestamp: b.timestamp,
      actions: [parametersAction(b.params)],
    })),
    color: color(job),
    inQueue: queued !== undefined,
    lastBuild: buildRef(builds[0]),
    lastCompletedBuild: buildRef(completed[0]),
    lastSuccessfulBuild: buildRef(completed.find((b) => b.result === 'SUCCESS')),
    lastFailedBuild: buildRef(completed.find((b) => b.result === 'FAILURE')),
    nextBuildNumber: job.nextBuildNumber,
    queueItem: queued ? { _class: 'hudson.model.Queue$WaitingItem', id: queued.id } : null,
  };
}

/** A folder, or the root when `path` is empty: the items directly inside it. */
export function renderFolder(baseUrl: string, path: string[], jobs: Iterable<JobState>): object {
  const children = new Map<string, object>();
  for (const job of jobs) {
    const segments = job.name.split('/');
    const isInside = segments.length > path.length && path.every((p, i) => segments[i] === p);
    const child = segments[path.length];
    if (!isInside || child === undefined || children.has(child)) continue;
    const childPath = [...path, child];
    const url = `${baseUrl}${childPath.map((s) => `/job/${encodeURIComponent(s)}`).join('')}/`;
    const isJob = segments.length === childPath.length;
    children.set(child, isJob ? { _class: JOB_CLASS, name: child, url, color: color(job) } : { _class: FOLDER_CLASS, name: child, url });
  }
  const url = `${baseUrl}${path.map((s) => `/job/${encodeURIComponent(s)}`).join('')}/`;
  const common = { jobs: [...children.values()], url };
  if (path.length === 0) {
    return { _class: 'hudson.model.Hudson', mode: 'NORMAL', nodeDescription: 'Jenkins simulator', useCrumbs: true, useSecurity: true, ...common };
  }
  return { _class: FOLDER_CLASS, name: path.at(-1), fullName: path.join('/'), ...common };
}
