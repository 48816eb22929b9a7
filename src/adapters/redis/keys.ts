// Every key the service writes lives under the configured prefix (CONTRACT.md §2), next to the
// BullMQ queues which use the same prefix.

export interface Keys {
  hotfix(id: string): string;
  index: string;
  byService(service: string): string;
  byState(state: string): string;
  /** Hotfixes with outbox work, scored by when the earliest of it is due (ms). */
  workDue: string;
  sequence(month: string): string;
  hotfixNumber(base: string): string;
  idempotency(key: string): string;
  lock(name: string): string;
}

export function keysFor(prefix: string): Keys {
  return {
    hotfix: (id) => `${prefix}:hf:${id}`,
    index: `${prefix}:hf-index`,
    byService: (service) => `${prefix}:hf-service:${service}`,
    byState: (state) => `${prefix}:hf-state:${state}`,
    workDue: `${prefix}:hf-work-due`,
    sequence: (month) => `${prefix}:seq:${month}`,
    hotfixNumber: (base) => `${prefix}:hotfix-n:${base}`,
    idempotency: (key) => `${prefix}:idem:${key}`,
    lock: (name) => `${prefix}:lock:${name}`,
  };
}
