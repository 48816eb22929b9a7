// The service's error vocabulary. Each error says what went wrong and, where a person can act,
// what to do. The HTTP edge maps them to status codes; the job runner maps them to
// retry (transient) or stop (permanent).

export class HotfixError extends Error {
  override readonly name: string = 'HotfixError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad input from a caller; `field` names the offending part (`commits[1]`, `title`). */
export class ValidationError extends HotfixError {
  override readonly name = 'ValidationError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class NotFoundError extends HotfixError {
  override readonly name = 'NotFoundError';
}

/** The request is well-formed but not allowed: the hotfix is in the wrong state, a rule forbids it. */
export class InvalidStateError extends HotfixError {
  override readonly name = 'InvalidStateError';
  constructor(
    message: string,
    readonly state?: string,
  ) {
    super(message);
  }
}

export class ForbiddenError extends HotfixError {
  override readonly name = 'ForbiddenError';
}

/** A git merge or cherry-pick that needs a person; `files` are the conflicting paths. */
export class ConflictError extends HotfixError {
  override readonly name = 'ConflictError';
  constructor(
    message: string,
    readonly files: readonly string[],
  ) {
    super(message);
  }
}

/**
 * An outside system failed. `transient` failures (connection refused, 5xx, 421, a push race)
 * are retried with backoff; permanent ones (401, 404 job, 550) need a person.
 */
export class ExternalServiceError extends HotfixError {
  override readonly name = 'ExternalServiceError';
  constructor(
    readonly service: string,
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(`${service}: ${message}`, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** Two writers raced on the same record; the loser re-reads and tries again. */
export class ConcurrentUpdateError extends HotfixError {
  override readonly name = 'ConcurrentUpdateError';
}

export function isTransient(err: unknown): boolean {
  return (
    (err instanceof ExternalServiceError && err.transient) || err instanceof ConcurrentUpdateError
  );
}

/** A production change during a freeze window, without an override. */
export class FrozenError extends HotfixError {
  override readonly name = 'FrozenError';
  constructor(
    readonly freeze: string,
    readonly until: Date,
    message: string,
  ) {
    super(message);
  }
}

/** A call that names someone other than its caller as the actor (only an admin may act for another). */
export class ActorMismatchError extends ForbiddenError {}
