// Issue 14: transitions per second with 1, 2 and 4 worker processes. A burst of hotfixes is
// requested against an API-only process (each request cuts its branch, as in production); the
// workers start and trigger every build, which Jenkins holds. Once all are triggered (the
// workers are up and warm), every build finishes at once and the clock runs until the last
// hotfix awaits approval and its QA email is accepted: each build's callback, the qa-up
// trigger, its callback, what the build changes (git), the QA email and the Slack post.
// The CPU each part of the stack used in that window, and the Redis commands it took, say where
// the rate stops growing.

import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { JOBS } from '../test/helpers/harness.js';
import { localRedisPid, machineCpu, mainThreadCpu, processCpu, type ProcessCpu } from './cpu.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { percentile } from './stats.js';

/** CPU milliseconds per hotfix in the measured window, by part of the stack. */
export interface CpuShare {
  workers: number;
  /** Of `workers`, their main threads: the JavaScript, without V8's and libuv's helpers. */
  workersMain: number;
  /** git processes the workers ran. */
  git: number;
  api: number;
  redis: number | null;
  /** The Jenkins, SMTP and Slack stand-ins and the load generator. */
  bench: number;
  /** Share of the machine's CPU time left idle, 0–1. */
  idle: number;
  /** Share of the machine's CPU time the hypervisor gave to others, 0–1. */
  steal: number;
}

export interface WorkerRun {
  workers: number;
  hotfixes: number;
  seconds: number;
  /** State changes (building → qa_provisioning → awaiting_approval) per second. */
  transitionsPerSecond: number;
  cpu: CpuShare | null;
  /**
   * Redis commands per hotfix in the window, all clients; and of them the scripts (EVALSHA),
   * a round trip each however many commands inside, which Redis counts as well.
   */
  redis: { commands: number; scripts: number };
}

/** INFO commandstats as calls by command name. */
function commandCalls(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1] ?? '', Number(m[2]));
  return calls;
}

function redisPerHotfix(before: Map<string, number>, after: Map<string, number>, hotfixes: number): WorkerRun['redis'] {
  const delta = (cmd: string) => (after.get(cmd) ?? 0) - (before.get(cmd) ?? 0);
  const commands = [...after.keys()].reduce((a, cmd) => a + delta(cmd), 0);
  return { commands: commands / hotfixes, scripts: (delta('evalsha') + delta('eval')) / hotfixes };
}

async function burst(stack: Stack, count: number, title: string): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const res = await stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title: `${title} ${i}`, commits: [] });
      if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, one));
}

function sample(pids: { api?: number; workers: Array<number | undefined>; redis?: number }) {
  const sum = (xs: Array<ProcessCpu | null>): ProcessCpu => xs.reduce<ProcessCpu>((a, x) => ({ own: a.own + (x?.own ?? 0), children: a.children + (x?.children ?? 0) }), { own: 0, children: 0 });
  const main = pids.workers.reduce<number>((a, pid) => a + (mainThreadCpu(pid) ?? 0), 0);
  return { api: processCpu(pids.api), workers: sum(pids.workers.map(processCpu)), workersMain: main, redis: pids.redis === undefined ? null : processCpu(pids.redis), bench: process.cpuUsage(), machine: machineCpu() };
}

function share(before: ReturnType<typeof sample>, after: ReturnType<typeof sample>, hotfixes: number): CpuShare | null {
  if (!before.api || !after.api || !before.machine || !after.machine) return null;
  const per = (seconds: number) => (seconds * 1000) / hotfixes;
  const bench = process.cpuUsage(before.bench);
  const total = after.machine.busy + after.machine.idle + after.machine.steal - (before.machine.busy + before.machine.idle + before.machine.steal);
  return {
    workers: per(after.workers.own - before.workers.own),
    workersMain: per(after.workersMain - before.workersMain),
    git: per(after.workers.children - before.workers.children),
    api: per(after.api.own + after.api.children - before.api.own - before.api.children),
    redis: before.redis && after.redis ? per(after.redis.own - before.redis.own) : null,
    bench: per((bench.user + bench.system) / 1e6),
    idle: (after.machine.idle - before.machine.idle) / total,
    steal: (after.machine.steal - before.machine.steal) / total,
  };
}

/**
 * `rounds` times each count, interleaved (1, 2, 4, 1, 2, 4 …) so drift on a shared machine hits
 * all alike. `warmup` hotfixes go the same road first, unmeasured: each worker process compiles
 * its hot paths once, as a long-running one has, instead of inside the measured window, where
 * four processes paid it four times.
 */
export async function workerScaling(redisUrl: string, hotfixes: number, counts: readonly number[], rounds = 1, warmup = 0, activeWorkersPerHost?: number): Promise<WorkerRun[]> {
  const runs: WorkerRun[] = [];
  const redis = new Redis(redisUrl);
  try {
    const redisPid = localRedisPid(await redis.info('server'));
    for (const workers of Array.from({ length: rounds }, () => counts).flat()) {
      const stack = await startStack({ apiOnly: true, concurrency: 16, ...(activeWorkersPerHost === undefined ? {} : { activeWorkersPerHost }) });
      try {
        stack.jenkins.defineJob(JOBS.build, 'manual');
        const waiting = `${stack.prefix}:hf-state:awaiting_approval`;
        const toQa = async (count: number): Promise<void> => {
          const deadline = Date.now() + 15 * 60_000;
          // Until the last QA email is accepted, not only the last state change: the emails are
          // the slowest part of the road (git, rendering, SMTP), and stopping the clock at the
          // state made a run fast or slow by whether they happened to be queued before it.
          while ((await redis.zcard(waiting)) < count || stack.smtp.messages.length < count) {
            if (Date.now() > deadline) throw new Error(`only ${await redis.zcard(waiting)} of ${count} reached QA, ${stack.smtp.messages.length} emails`);
            await new Promise((r) => setTimeout(r, 20));
          }
        };
        const triggered = (from: number, count: number) =>
          waitFor('every build started', () => {
            const started = stack.jenkins.triggers.filter((t) => t.job === JOBS.build && t.number !== undefined).slice(from);
            return started.length >= count ? started.map((t) => t.number ?? 0) : undefined;
          }, 10 * 60_000);
        console.log(`  ${workers} worker process(es) warm up on ${warmup} hotfixes …`);
        const processes = stack.startWorkers(workers);
        if (warmup > 0) {
          await burst(stack, warmup, 'Warm-up');
          await Promise.all((await triggered(0, warmup)).map((n) => stack.jenkins.finish(JOBS.build, n, 'SUCCESS')));
          await toQa(warmup);
        }
        console.log(`  ${hotfixes} hotfixes requested; the workers trigger the builds …`);
        await burst(stack, hotfixes, 'Burst');
        const builds = await triggered(warmup, hotfixes);
        console.log('  … all builds finish; to QA …');
        const pids = { api: stack.service.pid, workers: processes.map((p) => p.pid), redis: redisPid };
        const before = sample(pids);
        const callsBefore = commandCalls(await redis.info('commandstats'));
        const started = performance.now();
        await Promise.all(builds.map((n) => stack.jenkins.finish(JOBS.build, n, 'SUCCESS')));
        await toQa(warmup + hotfixes);
        const seconds = (performance.now() - started) / 1000;
        const after = sample(pids);
        const redisUse = redisPerHotfix(callsBefore, commandCalls(await redis.info('commandstats')), hotfixes);
        runs.push({ workers, hotfixes, seconds, transitionsPerSecond: (hotfixes * 2) / seconds, cpu: share(before, after, hotfixes), redis: redisUse });
      } finally {
        await stack.close();
      }
    }
  } finally {
    redis.disconnect();
  }
  return runs;
}

/**
 * `b` workers' rate over `a` workers' within each round (the run of `a` just before it): the
 * machine drifts between rounds by more than the difference being measured, so a ratio of
 * medians taken from different rounds says less than the ratios of neighbours.
 */
export function pairedRatios(runs: readonly WorkerRun[], a: number, b: number): number[] {
  const ratios: number[] = [];
  let before: WorkerRun | undefined;
  for (const run of runs) {
    if (run.workers === a) before = run;
    else if (run.workers === b && before) {
      ratios.push(run.transitionsPerSecond / before.transitionsPerSecond);
      before = undefined;
    }
  }
  return ratios;
}

/**
 * Two runs of the very same stack, paired the same way, still differ: four such pairs of two
 * workers against two gave 0.96, 1.02, 0.96 and 1.06× (2-core host, 2026-12-05), ~4.5% apart
 * one from another, so the median of five pairs is good to ~2.5%. A smaller loss than this the
 * bench cannot tell from chance.
 */
const SAME_WITHIN = 0.03;

/** The verdict on "4 no worse than 2", from the paired rounds. */
function fourAgainstTwo(runs: readonly WorkerRun[]): string {
  const ratios = pairedRatios(runs, 2, 4);
  const twos = runs.filter((r) => r.workers === 2).map((r) => r.transitionsPerSecond);
  if (ratios.length < 2) return '';
  const ratio = percentile(ratios, 50);
  const spread = (Math.max(...twos) - Math.min(...twos)) / percentile(twos, 50);
  const verdict = ratio >= 1 - SAME_WITHIN ? `no worse than two (within ${SAME_WITHIN * 100}%, the difference paired rounds show by chance)` : `worse than two, by ${((1 - ratio) * 100).toFixed(0)}%`;
  return `4 / 2 round by round (each four-worker run against the two-worker run just before it): ${ratios.map((r) => r.toFixed(2)).join(', ')}; median **${ratio.toFixed(2)}×**, while two workers' own rounds spread ${(spread * 100).toFixed(0)}% (${Math.min(...twos).toFixed(0)}–${Math.max(...twos).toFixed(0)} transitions/s). Four workers are ${verdict}.`;
}

/** The BENCHMARKS.md section: rates by worker count, and where each hotfix's CPU went. */
export function workerReport(runs: readonly WorkerRun[], hotfixes: number, warmup: number): string[] {
  const counts = [...new Set(runs.map((r) => r.workers))];
  const of = (w: number) => runs.filter((r) => r.workers === w);
  const med = (w: number) => percentile(of(w).map((r) => r.transitionsPerSecond), 50);
  const cpuMed = (w: number, key: keyof CpuShare): number | null => {
    const xs = of(w).flatMap((r) => {
      const x = r.cpu?.[key];
      return typeof x === 'number' ? [x] : [];
    });
    return xs.length ? percentile(xs, 50) : null;
  };
  const msOf = (x: number | null) => (x === null ? 'n/a' : x.toFixed(1));
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const cpuRows = counts.map((w) => `| ${w} | ${msOf(cpuMed(w, 'workers'))} | ${msOf(cpuMed(w, 'workersMain'))} | ${msOf(cpuMed(w, 'git'))} | ${msOf(cpuMed(w, 'api'))} | ${msOf(cpuMed(w, 'redis'))} | ${msOf(cpuMed(w, 'bench'))} | ${pct(cpuMed(w, 'idle'))} | ${pct(cpuMed(w, 'steal'))} |`);
  const redisMed = (w: number, key: 'commands' | 'scripts') => percentile(of(w).map((r) => r.redis[key]), 50);
  const first = counts[0] ?? 1;
  const last = counts[counts.length - 1] ?? 1;
  const total = (w: number) => (['workers', 'git', 'api', 'redis', 'bench'] as const).reduce((a, k) => a + (cpuMed(w, k) ?? 0), 0);
  const pairs = fourAgainstTwo(runs);
  const cores = availableParallelism();
  return [
    '## Transitions per second with 1, 2 and 4 worker processes (issue 14)',
    '',
    `A burst of ${hotfixes} hotfixes requested against an API-only process while the workers trigger every build (Jenkins holds them); then all builds finish at once and the clock runs until the last hotfix awaits approval and the last QA email is accepted: two state changes each, plus the qa-up trigger, both callbacks, what the build changes (git), the QA email and the Slack post. Before the burst, ${warmup} hotfixes take the same road through the same processes, unmeasured: long-running workers have compiled their hot paths. Rounds interleave the counts (1, 2, 4, 1, 2, 4 …, then 2, 4, 2, 4 …), as many as fit the run's time budget on this host; a rate is the median of its count's rounds.`,
    '',
    `Worker processes take one seat per core (${cores} here) and run jobs while they hold it; the rest stand by ([decision record 10](docs/decisions/0010-worker-seats.md)), so with more processes than cores the rate is that of as many as there are cores.`,
    '',
    '| worker processes | running jobs | transitions/s (median) | rounds | Redis commands a hotfix | of them, scripts |',
    '| --- | --- | --- | --- | --- | --- |',
    ...counts.map((w) => `| ${w} | ${Math.min(w, cores)} | ${med(w).toFixed(0)} | ${of(w).map((r) => r.transitionsPerSecond.toFixed(0)).join(', ')} | ${redisMed(w, 'commands').toFixed(0)} | ${redisMed(w, 'scripts').toFixed(1)} |`),
    '',
    `4 workers / 1 worker: **${(med(4) / med(1)).toFixed(2)}×**; 4 / 2: **${(med(4) / med(2)).toFixed(2)}×** (medians).`,
    '',
    ...(pairs ? [pairs, ''] : []),
    'Redis commands are `INFO commandstats` over the window from every client, the bench polling for the end included; Redis counts each command a script runs as well as the `EVALSHA` that runs it, so "scripts" is the round trips those cost.',
    '',
    'Where the CPU went in the measured window, in CPU milliseconds per hotfix (from `/proc`: each process, the git processes the workers ran, Redis when it runs here) and the share of the machine left idle or taken by the hypervisor:',
    '',
    '| worker processes | workers (Node) | of it, main threads (JavaScript) | their git | API process | Redis | Jenkins/SMTP/Slack stand-ins and load | machine idle | steal |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...cpuRows,
    '',
    `In all: ${msOf(total(first))} ms of CPU a hotfix with ${first} worker process(es), ${msOf(total(last))} ms with ${last}. The workers' main threads: ${msOf(cpuMed(2, 'workersMain'))} ms a hotfix with 2 processes, ${msOf(cpuMed(4, 'workersMain'))} ms with 4.`,
    '',
  ];
}

// On its own: `npx tsx bench/workers.ts [hotfixes] [rounds] [warm-up]`, COUNTS=1,2,4 by default;
// SEATS=<n> sets queue.activeWorkersPerHost (0: every process runs jobs, as before seats).
if (process.argv[1]?.endsWith('workers.ts')) {
  const { default: setupRedis } = await import('../test/helpers/global-setup.js');
  const stop = await setupRedis();
  try {
    const runs = await workerScaling(process.env.REDIS_URL ?? '', Number(process.argv[2] ?? 60), (process.env.COUNTS ?? '1,2,4').split(',').map(Number), Number(process.argv[3] ?? 1), Number(process.argv[4] ?? 0), process.env.SEATS === undefined ? undefined : Number(process.env.SEATS));
    console.table(runs.map(({ cpu, redis, ...r }) => ({ ...r, ...Object.fromEntries(Object.entries(cpu ?? {}).map(([k, v]) => [`cpu ${k}`, v])), ...redis })));
    const pairs = fourAgainstTwo(runs);
    if (pairs) console.log(pairs);
  } finally {
    await stop();
  }
}
