// What the replication guarantee costs a click: one hotfix write (the compare-and-set a
// decision makes) against a primary with one replica, with and without waiting for the replica
// (redis.replicas.min 1 vs 0), interleaved so both see the same machine. Run alone with
// `npx tsx bench/replication.ts`, or as the `replication` section of `npm run bench`.

import { newHotfix } from '../src/domain/create.js';
import { redisConnection } from '../src/adapters/redis/connection.js';
import { createReplicatedWrites } from '../src/adapters/redis/replicated-writes.js';
import { createRedisStore } from '../src/adapters/redis/store.js';
import { startSentinelCluster } from '../test/helpers/sentinel.js';
import { summary } from './stats.js';

export interface ReplicationCost {
  without: ReturnType<typeof summary>;
  with: ReturnType<typeof summary>;
}

export async function replicationCost(writes: number): Promise<ReplicationCost> {
  const cluster = await startSentinelCluster();
  const target = { sentinels: cluster.sentinels, name: cluster.name };
  const main = redisConnection(target, { maxRetriesPerRequest: 3 });
  const writers = Array.from({ length: 4 }, () => redisConnection(target, { maxRetriesPerRequest: 3 }));
  try {
    const plain = createRedisStore(main, 'bench-repl');
    const confirmed = createRedisStore(main, 'bench-repl', createReplicatedWrites(main, { min: 1, timeoutMs: 1000, writers }));
    const now = new Date();
    await plain.create(newHotfix({ id: 'HF-2026-12-901', service: 'bench', title: 'Replication cost', requestedBy: 'dev@example.com', commits: [] }, now));
    const times = { without: [] as number[], with: [] as number[] };
    for (let i = 0; i < writes * 2; i++) {
      const useWait = i % 2 === 1;
      const store = useWait ? confirmed : plain;
      const t = performance.now();
      await store.update('HF-2026-12-901', (d) => {
        d.updatedAt = new Date(now.getTime() + i).toISOString();
      });
      (useWait ? times.with : times.without).push(performance.now() - t);
    }
    return { without: summary(times.without), with: summary(times.with) };
  } finally {
    main.disconnect();
    for (const w of writers) w.disconnect();
    await cluster.stop();
  }
}

if (process.argv[1]?.endsWith('replication.ts')) {
  const r = await replicationCost(Number(process.argv[2] ?? 500));
  console.log(JSON.stringify(r, null, 2));
  console.log(`added per write (median): ${(r.with.median - r.without.median).toFixed(3)} ms`);
}
