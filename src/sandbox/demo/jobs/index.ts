/** The four jobs of the demo's Jenkins, defined on the one Jenkins simulator the tests use too. */
import type { JenkinsSim } from '../../jenkins/index.js';
import { buildJob } from './build.js';
import type { JenkinsJobContext } from './context.js';
import { deployJob, qaDownJob, qaUpJob } from './environment-jobs.js';

export interface DemoJobNames {
  build: string;
  qaUp: string;
  qaDown: string;
  deploy: string;
}

export function defineDemoJobs(sim: JenkinsSim, names: DemoJobNames, ctx: JenkinsJobContext): void {
  sim.defineJob(names.build, buildJob(ctx));
  sim.defineJob(names.qaUp, qaUpJob(ctx));
  sim.defineJob(names.qaDown, qaDownJob(ctx));
  sim.defineJob(names.deploy, deployJob(ctx));
}

export type { JenkinsJobContext } from './context.js';
export { packageApp } from './package-app.js';
