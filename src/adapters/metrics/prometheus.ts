// Prometheus metrics (prom-client): transitions and stage durations, job outcomes, queue
// depths, hotfixes by state, and the latency of every call to an outside system. Gauges that
// describe shared state (queue, hotfixes by state) are read from Redis when scraped.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { stagesEnded } from '../../domain/timeline.js';
import { STATES } from '../../domain/states.js';
import type { Telemetry } from '../../ports/telemetry.js';
import { afterEachCall } from '../around-methods.js';

export interface MetricsSources {
  queueCounts(): Promise<Record<string, number>>;
  hotfixesByState(): Promise<Record<string, number>>;
}

export interface Metrics {
  registry: Registry;
  telemetry: Telemetry;
  callDuration: Histogram<'system' | 'operation' | 'outcome'>;
  gitDuration: Histogram<'operation' | 'outcome'>;
  lockWait: Histogram<'lock'>;
  /** A worker process runs jobs (true) or stands by for a seat (false); absent from an API-only process. */
  workerActive(active: boolean): void;
}

const MINUTE = 60;
const HOUR = 3600;

export function createMetrics(sources: MetricsSources | null): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hotfix_' });
  const transitions = new Counter({ name: 'hotfix_transitions_total', help: 'State transitions of hotfixes', labelNames: ['service', 'from', 'to'], registers: [registry] });
  const stages = new Histogram({
    name: 'hotfix_stage_duration_seconds',
    help: 'How long each stage took: build, qa_provisioning, qa_wait (QA deciding), deploy, lead_time (request to production), backmerge',
    labelNames: ['service', 'stage'],
    buckets: [10, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 4 * HOUR, 24 * HOUR, 3 * 24 * HOUR, 7 * 24 * HOUR],
    registers: [registry],
  });
  const steps = new Histogram({ name: 'hotfix_job_duration_seconds', help: 'Job (step) durations by step and outcome (done, retry, failed)', labelNames: ['step', 'outcome'], buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60, 300], registers: [registry] });
  const callDuration = new Histogram({ name: 'hotfix_external_call_duration_seconds', help: 'Calls to Jenkins, SMTP, Slack and pull-request hosts, by outcome (ok, error)', labelNames: ['system', 'operation', 'outcome'], buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 30], registers: [registry] });
  // How long work waited for a lock: the per-repository git lock serialises unrelated hotfixes' git work.
  const lockWait = new Histogram({ name: 'hotfix_lock_wait_seconds', help: 'Time spent waiting for a lock before the work under it started, by kind (git: per repository)', labelNames: ['lock'], buckets: [0.001, 0.01, 0.05, 0.2, 1, 5, 30, 120], registers: [registry] });
  const gitDuration = new Histogram({ name: 'hotfix_git_operation_duration_seconds', help: 'git operations on the mirrors, by kind', labelNames: ['operation', 'outcome'], buckets: [0.02, 0.1, 0.5, 2, 10, 60, 300], registers: [registry] });
  if (sources) {
    new Gauge({
      name: 'hotfix_queue_jobs',
      help: 'Jobs in the step queue by state (waiting, active, delayed, failed …)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await sources.queueCounts())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'hotfix_hotfixes',
      help: 'Hotfixes by state',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const counts = await sources.hotfixesByState();
        for (const state of STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
  }
  let workerActive: Gauge | undefined;
  return {
    registry,
    workerActive(active) {
      workerActive ??= new Gauge({ name: 'hotfix_worker_active', help: 'This worker process runs jobs (1) or stands by, every seat on its cores being taken (0)', registers: [registry] });
      workerActive.set(active ? 1 : 0);
    },
    callDuration,
    gitDuration,
    lockWait,
    telemetry: {
      transition(h, from, to) {
        transitions.inc({ service: h.service, from, to });
        for (const s of stagesEnded(h, from, to, new Date())) stages.observe({ service: h.service, stage: s.stage }, s.seconds);
      },
      step(step, outcome, seconds) {
        steps.observe({ step, outcome }, seconds);
      },
    },
  };
}

/** Time every method of a port; the operation label is the method name. */
export function timed<T extends object>(impl: T, observe: (operation: string, outcome: 'ok' | 'error', seconds: number) => void): T {
  return afterEachCall(impl, (method, _args, outcome, startedAt) => observe(method, outcome.ok ? 'ok' : 'error', (performance.now() - startedAt) / 1000));
}
