// Mutual exclusion across processes (one git mirror, one production deploy at a time).

export interface Locker {
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
