// Ephemeral QA environments. A provider either finishes at once (`done`, the command
// provider) or starts a Jenkins run whose result arrives like any other run's (`started`).

import type { JobParameters } from '../domain/parameters.js';

export type QaOutcome =
  | { kind: 'done'; url: string | null }
  | { kind: 'started'; queueId: number | null; number: number | null; url: string | null };

export interface QaRequest {
  /** The contract's job parameters; the command provider passes them as environment. */
  parameters: JobParameters;
  /** This step may have run before (a retry or a restart): look before acting again. */
  resumed: boolean;
  /** When the work was first asked for: earlier Jenkins runs are someone else's. */
  since: Date;
}

export interface QaProvider {
  up(req: QaRequest): Promise<QaOutcome>;
  down(req: QaRequest): Promise<QaOutcome>;
}
