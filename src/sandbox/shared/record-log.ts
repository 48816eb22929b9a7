/**
 * An append-only list that tests can also wait on. `waitFor` resolves at once when a matching
 * entry is already there, so a test never races the event it is waiting for.
 */
interface Waiter<T> {
  predicate: (item: T) => boolean;
  resolve: (item: T) => void;
}

export class RecordLog<T> {
  readonly #items: T[] = [];
  readonly #waiters = new Set<Waiter<T>>();

  /** Every entry so far, oldest first. */
  get items(): readonly T[] {
    return this.#items;
  }

  push(item: T): void {
    this.#items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(item)) {
        this.#waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  /** The first entry matching `predicate`, now or within `timeoutMs`; rejects naming `what` otherwise. */
  waitFor(predicate: (item: T) => boolean, timeoutMs: number, what = 'a matching entry'): Promise<T> {
    const found = this.#items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}
