// Wrap every method of a port implementation with something to do once each call settles:
// how the metrics time calls and how the chaos points crash after them, in one place.

export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** `after` learns the method, its arguments, how it settled and when it started (performance.now()). */
export function afterEachCall<T extends object>(impl: T, after: (method: string, args: unknown[], outcome: Settled, startedAt: number) => void): T {
  return new Proxy(impl, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        const startedAt = performance.now();
        const result: unknown = Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        if (!(result instanceof Promise)) {
          after(key, args, { ok: true, value: result }, startedAt);
          return result;
        }
        return result.then(
          (v: unknown) => {
            after(key, args, { ok: true, value: v }, startedAt);
            return v;
          },
          (error: unknown) => {
            after(key, args, { ok: false, error }, startedAt);
            throw error;
          },
        );
      };
    },
  });
}
