// Redis not answering as a primary right now — down, restarting, loading, or in a failover (a
// demoted primary refuses writes with READONLY): transient for a job, 503 for a request.

export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /ECONNREFUSED|ECONNRESET|Connection is closed|ETIMEDOUT|LOADING|Stream isn't writeable|READONLY|MASTERDOWN|NOREPLICAS|All sentinels are unreachable/.test(err.message)
  );
}
