// The fields of Jenkins' JSON the adapter reads, and nothing more.

import { z } from 'zod';

const parameter = z.object({ name: z.string(), value: z.unknown() });

const action = z
  .object({ _class: z.string().optional(), parameters: z.array(parameter).optional() })
  .nullable()
  .catch(null);

export const actions = z.array(action).default([]);

export const queueItem = z.object({
  id: z.number(),
  why: z.string().nullable().optional(),
  cancelled: z.boolean().optional(),
  executable: z.object({ number: z.number(), url: z.string() }).nullable().optional(),
  actions,
});

export const queueList = z.array(queueItem.extend({ task: z.object({ name: z.string().optional(), url: z.string().optional() }).optional() }));

const result = z.enum(['SUCCESS', 'FAILURE', 'UNSTABLE', 'ABORTED', 'NOT_BUILT']).nullable().catch(null);

export const build = z.object({
  number: z.number(),
  url: z.string(),
  building: z.boolean(),
  result,
  timestamp: z.number().default(0),
  actions,
});

export const job = z.object({
  builds: z.array(build.partial({ url: true, building: true }).extend({ number: z.number() })).default([]),
});

/** hotfix-callback.json: the pipeline's final callback; only the fields a poll needs, each optional. */
export const archivedCallback = z.object({
  commit: z.string().min(7).optional().catch(undefined),
  artifact: z.object({ version: z.string().min(1), url: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional().catch(undefined) }).optional().catch(undefined),
  qaUrl: z.string().min(1).optional().catch(undefined),
  verifyUrl: z.string().regex(/^https?:\/\//).optional().catch(undefined),
});

export const crumb = z.object({ crumb: z.string(), crumbRequestField: z.string() });

export function parametersOf(list: z.infer<typeof actions>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    for (const p of a?.parameters ?? []) {
      if (typeof p.value === 'string' || typeof p.value === 'number' || typeof p.value === 'boolean') {
        out[p.name] = String(p.value);
      }
    }
  }
  return out;
}
