// Worker processes on the same cores take turns: each takes one of a fixed number of seats (one
// per core by default) and runs jobs while it holds it; a process that finds every seat taken
// stands by, looking again every third of a lease, and takes over the seat of one that stops.
// Four processes on two cores did 2–8% fewer transitions a second than two (paired medians
// 0.98× and 0.92× on two hosts): each process's JavaScript runs slower with more of them taking
// turns on a core (README). So the extras wait.
//
// A seat is only about throughput, never about correctness: BullMQ hands each job to one worker
// whoever runs, so two processes briefly on one seat (a lease that ran out during a pause, a
// failover that lost a renewal) cost nothing but what oversubscription costs.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../ports/logger.js';

// The seat this process holds is renewed; failing that, the first free one is taken. Returns
// the seat (1-based) or 0 when all are taken.
const TAKE = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    return i
  end
end
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then return i end
end
return 0`;
const GIVE_UP = `for i = 1, #KEYS do if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end end return 0`;

export interface SeatOptions {
  /** Keys live under it (the configured prefix). */
  prefix: string;
  /** Processes with the same group share the seats: the same cores (adapters/host/cores.ts). */
  group: string;
  seats: number;
  /** A holder that stops renewing (killed) gives its seat up after about this long. */
  leaseMs: number;
  /** Told each time the process gains a seat (true) or loses it (false); awaited before the next look. */
  onChange(active: boolean): Promise<void> | void;
  log: Logger;
}

export interface WorkerSeats {
  /** The first look, then one every third of a lease. Resolves with whether a seat was free. */
  start(): Promise<boolean>;
  active(): boolean;
  /** Stops looking and gives the seat up, so a process standing by takes it at its next look. */
  stop(): Promise<void>;
}

export function createWorkerSeats(redis: Redis, options: SeatOptions): WorkerSeats {
  const token = randomBytes(16).toString('hex');
  const keys = Array.from({ length: options.seats }, (_, i) => `${options.prefix}:worker-seat:${options.group}:${i}`);
  let seat = 0;
  let active = false;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> = Promise.resolve();
  let stopped = false;
  let unreadable = false;

  async function look(first: boolean): Promise<void> {
    let got: number;
    try {
      got = Number(await redis.eval(TAKE, keys.length, ...keys, token, options.leaseMs));
      unreadable = false;
    } catch (err) {
      // Seats unknown (Redis away): stay as we are; at the very first look, run, as the work
      // matters more than the cores. Said once an outage, not at every look.
      if (!unreadable) options.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot look at the worker seats; keeping as is');
      unreadable = true;
      if (!first) return;
      got = -1;
    }
    const now = got !== 0;
    if (got > 0 && got !== seat) options.log.debug({ seat: got, of: options.seats }, 'worker seat taken');
    seat = Math.max(got, 0);
    if (now === active && !first) return;
    active = now;
    if (active) options.log.info({ seat: got, of: options.seats }, 'worker active');
    else options.log.info({ seats: options.seats }, 'every worker seat on these cores is taken: standing by');
    // A process that starts standing by has nothing running to stop.
    if (first && !active) return;
    await options.onChange(active);
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      looking = look(false)
        .catch((err: unknown) => options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'worker seat change failed'))
        .finally(schedule);
    }, options.leaseMs / 3);
  }

  return {
    async start() {
      looking = look(true);
      await looking;
      schedule();
      return active;
    },
    active: () => active,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await looking;
      await redis.eval(GIVE_UP, keys.length, ...keys, token).catch(() => undefined);
    },
  };
}
