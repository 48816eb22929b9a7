// Request bodies, parsed at the edge. Error messages name the field.

import { z } from 'zod';
import { STATES } from '../domain/states.js';

// Control characters (other than none) have no business in a title or a name.
// eslint-disable-next-line no-control-regex
const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

const email = z.email({ error: 'must be an email address' }).max(254);

export const createHotfixBody = z.strictObject({
  service: z.string().regex(/^[a-z0-9-]+$/, 'must be a configured service name ([a-z0-9-]+)').max(100),
  title: z.string().trim().min(3, 'must be at least 3 characters').max(200).refine(noControl, 'must not contain control characters'),
  /** Omitted: the caller. Another person only for an admin (recorded as on their behalf). */
  requestedBy: email.optional(),
  baseRef: z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a production tag name').optional(),
  commits: z
    .array(z.string().regex(/^[0-9a-fA-F]{7,40}$/, 'must be a commit id (7–40 hex digits)').transform((s) => s.toLowerCase()))
    .max(50, 'at most 50 commits')
    .default([]),
});

const reason = z.string().trim().min(1, 'required').max(2000);

// `actor` may be omitted (it is the caller); naming someone else is for admins only.
const actor = z.string().trim().min(1).max(254).optional();

export const promoteBody = z.strictObject({
  actor,
  comment: z.string().max(2000).default(''),
  override: z.string().trim().min(1, 'must say why the freeze is overridden').max(2000).optional(),
  /** The build contains no change from production, and the approver promotes it anyway. */
  confirmNoChange: z.boolean().optional(),
});
export const rejectBody = z.strictObject({ actor, reason });
export const rollbackBody = z.strictObject({ actor, reason });
export const cancelBody = z.strictObject({ actor, reason: z.string().max(2000).default('') });
export const buildBody = z.strictObject({ actor }).default({});
export const retryBody = z.strictObject({ actor }).default({});

export const skipVerificationBody = z.strictObject({ actor, reason });

export const freezesQuery = z.object({ service: z.string().regex(/^[a-z0-9-]+$/).optional() });

export const listQuery = z.object({
  service: z.string().regex(/^[a-z0-9-]+$/).optional(),
  state: z.enum(STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().regex(/^HF-\d{4}-\d{2}-\d{3,}$/, 'must be a hotfix id (the next.before of the previous page)').optional(),
});

export const callbackBody = z.object({
  hotfixId: z.string().regex(/^HF-\d{4}-\d{2}-\d{3,}$/, 'must be a hotfix id'),
  stage: z.enum(['build', 'qa-up', 'qa-down', 'deploy']),
  job: z.string().min(1).max(400),
  buildNumber: z.number().int().positive(),
  status: z.enum(['STARTED', 'SUCCESS', 'FAILURE', 'UNSTABLE', 'ABORTED']),
  // qa-down has no COMMIT parameter; pipelines often send it empty rather than leave it out.
  commit: z
    .string()
    .regex(/^([0-9a-f]{40})?$/, 'must be a full commit id')
    .optional()
    .transform((c) => (c ? c : undefined)),
  artifact: z.object({ version: z.string().min(1).max(200), url: z.string().url().max(2000), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits').optional() }).optional(),
  qaUrl: z.string().url().max(2000).regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  /** A deploy's SUCCESS may name a health check URL for the verification. */
  verifyUrl: z.string().url().max(2000).regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  url: z.string().url().max(2000).optional(),
  timestamp: z.iso.datetime({ offset: true }),
});

export type CallbackBody = z.infer<typeof callbackBody>;

export const statsQuery = z.object({
  service: z.string().regex(/^[a-z0-9-]+$/).optional(),
  days: z.coerce.number().int().min(1).max(366).default(30),
});
