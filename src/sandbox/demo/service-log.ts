/**
 * The service logs JSON lines (pino) into the demo's temp directory. When start-up fails the
 * directory is removed, so the errors the log holds are read out first and told to the person.
 */
import { existsSync, readFileSync } from 'node:fs';

/** The last `max` error-level entries of a pino log, as one line each (message and error). */
export function lastErrors(path: string, max = 3): string[] {
  if (!existsSync(path)) return [];
  const found: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    const { level, msg, err } = entry as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
    if (level !== 'error' && level !== 'fatal') continue;
    found.push([msg, err?.message].filter((part) => typeof part === 'string' && part !== '').join(': '));
  }
  return found.slice(-max);
}
