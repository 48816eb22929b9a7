/**
 * Everything the demo starts registers how to stop it here, as it starts; stopping runs the
 * steps newest first (the service before the servers it talks to, Redis last) and carries
 * on past a step that fails, so one stuck piece never leaves the rest running.
 */
export class Cleanup {
  readonly #steps: Array<{ what: string; run: () => Promise<void> | void }> = [];
  #running: Promise<void> | undefined;

  constructor(private readonly report: (line: string) => void) {}

  add(what: string, run: () => Promise<void> | void): void {
    this.#steps.push({ what, run });
  }

  /** Runs every step once, newest first; calling it again waits for the same run. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step.run();
        } catch (err) {
          this.report(`stopping ${step.what} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.#running;
  }
}
