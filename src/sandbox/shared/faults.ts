/**
 * Fault injection shared by the HTTP stand-ins: "the next N requests (matching a predicate)
 * fail like this". Faults are consumed in the order they were added.
 */

/**
 * An HTTP status to answer with, `'refuse'` (destroy the socket unanswered), `'hang'` (never
 * answer) or `'late'` (do what was asked, but hold the answer back for `lateMs`).
 */
export type FaultMode = number | 'refuse' | 'hang' | 'late';

export interface FaultSpec<M extends FaultMode = FaultMode> {
  /** Which requests the fault applies to; every request when absent. `path` has no query string. */
  match?: (method: string, path: string) => boolean;
  /** How many matching requests fail; default 1. */
  count?: number;
  mode: M;
  /** With `'late'`: how long the answer is held back; default 1000 ms. */
  lateMs?: number;
  /** Sent as `Retry-After` with a status answer (Slack's 429). */
  retryAfterSeconds?: number;
}

interface PendingFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultInjector {
  #pending: PendingFault[] = [];

  add(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be a positive integer, got ${count}`);
    this.#pending.push({ spec, remaining: count });
  }

  /** Consumes one use of the first pending fault that matches, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const entry = this.#pending.find((p) => p.spec.match?.(method, path) ?? true);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.#pending = this.#pending.filter((p) => p !== entry);
    return entry.spec;
  }

  /** Faults still waiting to fire (sum of remaining counts). */
  get pending(): number {
    return this.#pending.reduce((sum, p) => sum + p.remaining, 0);
  }

  clear(): void {
    this.#pending = [];
  }
}
