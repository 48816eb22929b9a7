/**
 * Where the sample app runs: the QA environments (one per QA_ENV, each on its own port) and
 * production (behind the fixed proxy). The qa-up, qa-down and deploy jobs act through this.
 */
import { rmSync } from 'node:fs';
import type { AppInstance, AppInstances } from './instances.js';
import type { ProductionProxy } from './production-proxy.js';

export interface QaEnvironment {
  env: string;
  instance: AppInstance;
  hotfixId: string;
}

export class Environments {
  readonly #qa = new Map<string, QaEnvironment>();

  constructor(
    readonly instances: AppInstances,
    readonly production: ProductionProxy,
  ) {}

  get qa(): readonly QaEnvironment[] {
    return [...this.#qa.values()];
  }

  /** Starts the QA environment from an unpacked artifact, replacing one of the same name. */
  async startQa(env: string, hotfixId: string, dir: string, version: string, signal: AbortSignal): Promise<AppInstance> {
    await this.stopQa(env);
    const instance = await this.instances.start({ name: env, dir, version, environment: 'qa', signal });
    this.#qa.set(env, { env, instance, hotfixId });
    return instance;
  }

  /** Stops it and removes its files; false when there was none. */
  async stopQa(env: string): Promise<boolean> {
    const found = this.#qa.get(env);
    if (!found) return false;
    this.#qa.delete(env);
    await found.instance.stop();
    rmSync(found.instance.dir, { recursive: true, force: true });
    return true;
  }

  async deployProduction(dir: string, version: string, deploy: number, commit: string, signal: AbortSignal): Promise<AppInstance> {
    const instance = await this.instances.start({ name: `production (deploy #${deploy})`, dir, version, environment: 'production', signal });
    const previous = this.production.current;
    await this.production.swap({ instance, deploy, commit, at: new Date() });
    if (previous && previous.instance !== instance) rmSync(previous.instance.dir, { recursive: true, force: true });
    return instance;
  }
}
