// Is production healthy? One check's answer: healthy, unhealthy, or inconclusive (the check
// itself could not tell, e.g. the metrics server did not answer).

import type { CheckAnswer } from '../domain/verification.js';

export type HealthCheck =
  | { kind: 'http'; url: string; status: number; bodyContains: string | null; timeoutMs: number }
  | { kind: 'prometheus'; url: string; query: string; max: number | null; min: number | null; timeoutMs: number };

export interface HealthChecker {
  check(check: HealthCheck, at: Date): Promise<CheckAnswer>;
}

/** The checks a service's `verification:` configures. */
export interface VerificationChecks {
  http: ReadonlyArray<{ url: string; status: number; bodyContains: string | null; timeoutSeconds: number }>;
  prometheus: { url: string; query: string; max: number | null; min: number | null; timeoutSeconds: number } | null;
}
