// What the service counts and times about itself (exposed as Prometheus metrics).

import type { Hotfix } from '../domain/hotfix.js';
import type { HotfixState } from '../domain/states.js';

export type StepOutcome = 'done' | 'retry' | 'failed';

export interface Telemetry {
  transition(h: Hotfix, from: HotfixState, to: HotfixState): void;
  step(step: string, outcome: StepOutcome, seconds: number): void;
}

export const noTelemetry: Telemetry = { transition: () => undefined, step: () => undefined };
