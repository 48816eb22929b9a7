import type { Redis } from 'ioredis';
import { ConcurrentUpdateError } from '../../domain/errors.js';
import { effectDue, toSummary, type Hotfix, type HotfixSummary } from '../../domain/hotfix.js';
import { STATES } from '../../domain/states.js';
import type { CreateResult, HotfixStore, IdempotencyRecord, ListQuery } from '../../ports/hotfix-store.js';
import { keysFor } from './keys.js';
import { createReplicatedWrites, type ReplicatedWrites } from './replicated-writes.js';
import { COMPARE_AND_SET, CREATE, DISCARD, PAGE } from './scripts.js';

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
// Optimistic writes retry on a race; a hotfix sees a handful of writers at most (a callback,
// a click, a job), so running out means something is looping, not just busy.
const MAX_ATTEMPTS = 50;

type ScriptRedis = Redis & {
  hotfixCreate(...args: (string | number)[]): Promise<string | null>;
  hotfixCas(...args: (string | number)[]): Promise<number>;
  hotfixDiscard(...args: (string | number)[]): Promise<number>;
  hotfixPage(...args: (string | number)[]): Promise<Array<string | null>>;
};

function withScripts(redis: Redis): ScriptRedis {
  if (!('hotfixCas' in redis)) {
    redis.defineCommand('hotfixCreate', { lua: CREATE });
    redis.defineCommand('hotfixCas', { lua: COMPARE_AND_SET, numberOfKeys: 4 });
    redis.defineCommand('hotfixDiscard', { lua: DISCARD });
    redis.defineCommand('hotfixPage', { lua: PAGE, numberOfKeys: 1 });
  }
  return redis as ScriptRedis;
}

/** When the earliest outbox work is due (ms), or '' with none: the reconciler's index. */
function workDue(h: Hotfix): number | '' {
  if (h.outbox.length === 0) return '';
  return Math.min(...h.outbox.map(effectDue));
}

function parseIdempotency(raw: string): IdempotencyRecord {
  return JSON.parse(raw) as IdempotencyRecord;
}

export function createRedisStore(client: Redis, prefix: string, replicated: ReplicatedWrites = createReplicatedWrites(client)): HotfixStore {
  const redis = withScripts(client);
  const keys = keysFor(prefix);
  const lease = <T>(use: (w: ScriptRedis) => Promise<T>) => replicated.lease((w) => use(withScripts(w)));
  const confirmed = (w: ScriptRedis) => replicated.confirmed(w);
  const notConfirmed = () => replicated.notConfirmed();

  // Redis replicates asynchronously: a write the primary took can vanish in a failover. Every
  // write of a hotfix (a decision, a recorded intent before a Jenkins trigger, a tag, a merge)
  // waits for the replicas (decision record 7) before it counts; without them in time the
  // caller is told it is not confirmed (transient: a job retries, the API answers 503).
  async function discard(id: string, idempotencyKey?: string): Promise<void> {
    const hotfix = await read(id);
    if (!hotfix) return;
    const k = [keys.hotfix(id), keys.index, keys.byService(hotfix.service), keys.byState(hotfix.state), keys.workDue];
    if (idempotencyKey) k.push(keys.idempotency(idempotencyKey));
    await lease(async (w) => {
      await w.hotfixDiscard(k.length, ...k, id);
      // Best effort: its caller is already failing. A discard lost in a failover leaves a hotfix
      // without a branch, which its create-branch recovery job then finishes.
      await confirmed(w);
    });
  }

  /** Write `next` over `expected` (its version): the state index, due work and summary follow. */
  async function cas(w: ScriptRedis, id: string, fromState: string, expected: number, next: Hotfix): Promise<number> {
    return w.hotfixCas(keys.hotfix(id), keys.byState(fromState), keys.byState(next.state), keys.workDue, expected, JSON.stringify(next), next.version, id, Date.parse(next.createdAt), workDue(next), JSON.stringify(toSummary(next)));
  }

  async function read(id: string): Promise<Hotfix | null> {
    const raw = await redis.hget(keys.hotfix(id), 'd');
    return raw === null ? null : (JSON.parse(raw) as Hotfix);
  }

  /**
   * Newest first, filtered by service and/or state. The cursor is a hotfix id: paging starts at
   * its score and skips up to and including it, so hotfixes created in the same millisecond are
   * neither lost nor repeated.
   */
  async function page<T extends { service: string; state: string }>(query: ListQuery, field: 'd' | 's'): Promise<T[]> {
    const key = query.state ? keys.byState(query.state) : query.service ? keys.byService(query.service) : keys.index;
    let max = '+inf';
    let skipThrough: string | null = null;
    if (query.before) {
      const score = await redis.zscore(keys.index, query.before);
      if (score === null) return [];
      max = score;
      skipThrough = query.before;
    }
    const wanted: T[] = [];
    let offset = 0;
    const size = Math.max(query.limit, 50);
    while (wanted.length < query.limit) {
      const flat = await redis.hotfixPage(key, max, offset, size, field, keys.hotfix(''));
      if (flat.length === 0) break;
      const values = new Map<string, string | null>();
      for (let i = 0; i < flat.length; i += 2) values.set(flat[i] ?? '', flat[i + 1] ?? null);
      let ids = [...values.keys()];
      offset += ids.length;
      if (skipThrough !== null) {
        const cursor: string = skipThrough;
        const at = ids.indexOf(cursor);
        if (at >= 0) {
          ids = ids.slice(at + 1);
          skipThrough = null;
        } else if (ids.every((id) => id > cursor)) {
          continue; // same-score members come in reverse lexical order; the cursor is further on
        } else {
          skipThrough = null;
        }
      }
      for (const id of ids) {
        const raw = values.get(id);
        if (typeof raw !== 'string') continue;
        const item = JSON.parse(raw) as T;
        if (query.service && item.service !== query.service) continue;
        if (query.state && item.state !== query.state) continue;
        wanted.push(item);
        if (wanted.length === query.limit) break;
      }
    }
    return wanted;
  }

  return {
    async nextSequence(month) {
      // An id handed out must not be handed out again after a failover.
      return lease(async (w) => {
        const n = await w.incr(keys.sequence(month));
        if (!(await confirmed(w))) throw notConfirmed();
        return n;
      });
    },

    async nextHotfixNumber(base, atLeast) {
      // One step: never below the numbers tags already use, never the same number twice.
      return lease(async (w) => {
        const n = await w.eval(
          "local c = tonumber(redis.call('GET', KEYS[1]) or '0') if c < tonumber(ARGV[1]) then c = tonumber(ARGV[1]) end c = c + 1 redis.call('SET', KEYS[1], c) return c",
          1,
          keys.hotfixNumber(base),
          atLeast,
        );
        if (!(await confirmed(w))) throw notConfirmed();
        return Number(n);
      });
    },

    async create(hotfix, idempotency): Promise<CreateResult> {
      const score = Date.parse(hotfix.createdAt);
      const k = [keys.hotfix(hotfix.id), keys.index, keys.byService(hotfix.service), keys.byState(hotfix.state), keys.workDue];
      const args: (string | number)[] = [JSON.stringify(hotfix), hotfix.version, score, hotfix.id, workDue(hotfix), JSON.stringify(toSummary(hotfix))];
      if (idempotency) {
        k.push(keys.idempotency(idempotency.key));
        args.push(JSON.stringify({ hotfixId: hotfix.id, fingerprint: idempotency.fingerprint }), IDEMPOTENCY_TTL_SECONDS);
      }
      const { existing, ok } = await lease(async (w) => {
        const found = await w.hotfixCreate(k.length, ...k, ...args);
        return { existing: found, ok: found !== null || (await confirmed(w)) };
      });
      if (existing !== null) return { created: false, existing: parseIdempotency(existing) };
      if (!ok) {
        // Nothing can have acted on a hotfix whose creation has not returned (its first job runs
        // minutes later if the request dies): "not done" can hold on the primary too.
        await discard(hotfix.id, idempotency?.key);
        throw notConfirmed();
      }
      return { created: true };
    },

    discard,

    get: read,

    async update(id, mutate, known) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const raw = attempt === 0 && known?.id === id ? JSON.stringify(known) : await redis.hget(keys.hotfix(id), 'd');
        if (raw === null) return null;
        const draft = JSON.parse(raw) as Hotfix;
        const before = { state: draft.state, version: draft.version };
        const result = mutate(draft);
        // JSON round-trips our records exactly, so an untouched draft serialises to what we read.
        if (JSON.stringify(draft) === raw) return { hotfix: draft, result };
        draft.version = before.version + 1;
        const written = await lease(async (w) => {
          const n = await cas(w, id, before.state, before.version, draft);
          // Not on a replica in time: the caller hears it is not counted. The write is not undone:
          // by now a step may have acted on it (triggered Jenkins), and undoing would erase the
          // record of that — a failover test saw a deploy triggered twice that way. It stays on
          // the primary, where it is usually confirmed moments later; a retry is safe.
          if (n === 1 && !(await confirmed(w))) throw notConfirmed();
          return n;
        });
        if (written === 1) return { hotfix: draft, result };
        if (written === -1) return null;
      }
      throw new ConcurrentUpdateError(`hotfix ${id}: gave up after ${MAX_ATTEMPTS} concurrent updates`);
    },

    list: (query: ListQuery) => page<Hotfix>(query, 'd'),

    listSummaries: (query: ListQuery) => page<HotfixSummary>(query, 's'),

    async findIdempotent(key) {
      const raw = await redis.get(keys.idempotency(key));
      return raw === null ? null : parseIdempotency(raw);
    },

    async withWorkDue(before) {
      return redis.zrangebyscore(keys.workDue, '-inf', before.getTime());
    },

    async countByState() {
      const pipeline = redis.pipeline();
      for (const state of STATES) pipeline.zcard(keys.byState(state));
      const rows = (await pipeline.exec()) ?? [];
      return Object.fromEntries(STATES.map((state, i) => [state, Number(rows[i]?.[1] ?? 0)]));
    },
  };
}
