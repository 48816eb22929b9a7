// Where hotfixes live. Every change goes through `update`, which hands the mutator a private
// draft and commits it only if nobody else wrote in between (compare-and-set), retrying on a
// race — so concurrent callbacks, clicks and jobs serialise per hotfix without locks.

import type { Hotfix, HotfixSummary } from '../domain/hotfix.js';
import type { HotfixState } from '../domain/states.js';

export interface ListQuery {
  service?: string;
  state?: HotfixState;
  limit: number;
  /** Paging: the hotfixes after this id in newest-first order. */
  before?: string;
}

export interface IdempotencyRecord {
  hotfixId: string;
  fingerprint: string;
}

export type CreateResult =
  | { created: true }
  | { created: false; existing: IdempotencyRecord };

export interface HotfixStore {
  /** Next number of the month's counter; unique across processes. */
  nextSequence(month: string): Promise<number>;
  /** Next hotfix number on a release base (`payments@1.4.2`), above `atLeast` (numbers tags already use). */
  nextHotfixNumber(base: string, atLeast: number): Promise<number>;
  /** Store a new hotfix, claiming the idempotency key (if any) in the same step. */
  create(hotfix: Hotfix, idempotency?: { key: string; fingerprint: string }): Promise<CreateResult>;
  /** Forget a hotfix that never came to exist (its branch could not be made). */
  discard(id: string, idempotencyKey?: string): Promise<void>;
  get(id: string): Promise<Hotfix | null>;
  /**
   * Apply `mutate` to a fresh draft and commit it atomically; a draft left as it was is not
   * written. Returns null for an unknown id; throws what `mutate` throws (nothing is written).
   * `known`, a copy just read, saves the first read; a stale one only costs a retry.
   */
  update<T>(id: string, mutate: (draft: Hotfix) => T, known?: Hotfix): Promise<{ hotfix: Hotfix; result: T } | null>;
  list(query: ListQuery): Promise<Hotfix[]>;
  /** The same, as summaries (what the list API shows): far less to read and send. */
  listSummaries(query: ListQuery): Promise<HotfixSummary[]>;
  findIdempotent(key: string): Promise<IdempotencyRecord | null>;
  /** Ids of hotfixes with outbox work due before `before` (for the reconciler). */
  withWorkDue(before: Date): Promise<string[]>;
  /** How many hotfixes are in each state. */
  countByState(): Promise<Record<string, number>>;
}
