// Small helpers for the adapter integration tests: unique Redis prefixes, a port nobody
// listens on, polling without fixed sleeps, and typed access to a rejection.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { freePort } from '../../../src/sandbox/redis.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ExternalServiceError } from '../../../src/domain/errors.js';

/** A Redis key prefix no other test file uses. */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests through vitest (test/helpers/global-setup.ts)');
  return url;
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `hotfix-${label}-`));
}

/** A local port that was free a moment ago and has nothing listening on it: connections are refused. */
export const closedPort = freePort;

/** Calls `probe` every few ms until it returns something other than undefined. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Awaits a promise that must reject and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The rejection, checked to be an instance of `type`. */
export async function rejectsWith<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const err = await rejectionOf(promise);
  if (!(err instanceof type)) {
    throw new Error(`expected ${type.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  return err;
}

/** The rejection as an ExternalServiceError of the given kind (transient or permanent). */
export async function externalFailure(promise: Promise<unknown>, transient: boolean): Promise<ExternalServiceError> {
  const err = await rejectsWith(promise, ExternalServiceError);
  expect(err.transient, `transient flag of: ${err.message}`).toBe(transient);
  return err;
}
