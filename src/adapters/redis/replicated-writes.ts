// Writes that count only once replicas have them: each runs on a writer connection of its own
// and is followed by `WAIT min timeout` there (WAIT covers everything that connection wrote,
// and blocks it — so not the connection every read and job shares). With `min` 0 they are
// plain writes on the main connection. Decision record 7.

import type { Redis } from 'ioredis';
import { ExternalServiceError } from '../../domain/errors.js';

export interface Replication {
  min: number;
  timeoutMs: number;
  /** Writer connections (needed when `min` > 0); callers beyond them wait their turn. */
  writers?: readonly Redis[];
}

export interface ReplicatedWrites {
  readonly confirming: boolean;
  /** Lends a writer (the main connection when not confirming) for the duration of `use`. */
  lease<T>(use: (w: Redis) => Promise<T>): Promise<T>;
  /** Did `min` replicas confirm what `w` wrote so far, within the timeout? */
  confirmed(w: Redis): Promise<boolean>;
  /** The error a caller gets for a write not confirmed: transient (503 at the API, a retry for a job). */
  notConfirmed(): ExternalServiceError;
  /** `write` on a writer, then WAIT; throws `notConfirmed()` when too few replicas have it. */
  write<T>(write: (w: Redis) => Promise<T>): Promise<T>;
}

export function createReplicatedWrites(main: Redis, replication: Replication = { min: 0, timeoutMs: 0 }): ReplicatedWrites {
  const confirming = replication.min > 0;
  if (confirming && !replication.writers?.length) throw new Error('redis.replicas.min > 0 needs writer connections');
  const free = [...(replication.writers ?? [])];
  const waiting: Array<(w: Redis) => void> = [];
  const lease = async <T>(use: (w: Redis) => Promise<T>): Promise<T> => {
    if (!confirming) return use(main);
    const w = free.pop() ?? (await new Promise<Redis>((resolve) => waiting.push(resolve)));
    try {
      return await use(w);
    } finally {
      const next = waiting.shift();
      if (next) next(w);
      else free.push(w);
    }
  };
  const confirmed = async (w: Redis): Promise<boolean> => {
    if (!confirming) return true;
    const acked = await w.wait(replication.min, replication.timeoutMs).catch(() => 0);
    return acked >= replication.min;
  };
  const notConfirmed = () => new ExternalServiceError('redis', `write not confirmed by ${replication.min} replica(s) within ${replication.timeoutMs} ms: not counted`, true);
  return {
    confirming,
    lease,
    confirmed,
    notConfirmed,
    write: (write) =>
      lease(async (w) => {
        const result = await write(w);
        if (!(await confirmed(w))) throw notConfirmed();
        return result;
      }),
  };
}
