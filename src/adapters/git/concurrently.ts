// Git work run side by side inside one hold of a mirror's lock. The rule every helper keeps:
// nothing is thrown, returned or let go of while one of the processes is still running, so no
// git process writes in the mirror after the lock is released (or while it is fetched again).

/** Both results once both have ended; the first failure is thrown only then. */
export async function settled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** `Promise.all` that waits for every one to end before throwing the first failure. */
export async function ended<T>(all: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(all);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

/**
 * Work started before it is known to be needed: its outcome, held without throwing (so a
 * result nobody asks for is no unhandled rejection), to be awaited before the lock is let go.
 */
export function ahead<T>(work: Promise<T>): Promise<PromiseSettledResult<T>> {
  return work.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

/** The value of work started ahead, or its failure thrown now that it is wanted. */
export async function wanted<T>(outcome: Promise<PromiseSettledResult<T>>): Promise<T> {
  const r = await outcome;
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}
