/**
 * Manual jobs: builds that run until the test says how they end, for tests that need to
 * act while a build is in progress (poll it, stop it, lose its callback).
 */
import type { BuildResult, JobBehaviour } from './types.js';

export class ManualBuilds {
  readonly #pending = new Map<string, (result: BuildResult) => void>();

  /** The behaviour of every manual job: wait for `release`, or for the build to be stopped. */
  readonly behaviour: JobBehaviour = (build) =>
    new Promise<BuildResult>((resolve) => {
      const key = keyOf(build.job, build.number);
      const settle = (result: BuildResult): void => {
        this.#pending.delete(key);
        resolve(result);
      };
      this.#pending.set(key, settle);
      build.signal.addEventListener('abort', () => settle('ABORTED'), { once: true });
    });

  isWaiting(job: string, number: number): boolean {
    return this.#pending.has(keyOf(job, number));
  }

  release(job: string, number: number, result: BuildResult): void {
    this.#pending.get(keyOf(job, number))?.(result);
  }
}

function keyOf(job: string, number: number): string {
  return `${job}#${number}`;
}
