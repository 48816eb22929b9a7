// POST /api/v1/jenkins/events: the pipelines' signed callbacks (CONTRACT.md §5). The signature
// is checked over the raw bytes before anything in the body is believed.

import type { RequestHandler } from 'express';
import { verifyBodySignature } from '../adapters/signing/hmac.js';
import { NotFoundError } from '../domain/errors.js';
import type { Deps } from '../workflows/deps.js';
import { ingestReport } from '../workflows/jenkins-runs.js';
import { sendError, zodMessage } from './errors.js';
import { callbackBody } from './schemas.js';

const MAX_SKEW_MS = 5 * 60_000;

export function jenkinsEvents(deps: Deps, secrets: readonly string[]): RequestHandler {
  return async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyBodySignature(raw, req.get('x-hotfix-signature'), secrets)) {
      return sendError(res, 401, 'bad_signature', 'X-Hotfix-Signature is missing or does not match the body');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, 400, 'invalid_json', 'the callback body is not valid JSON');
    }
    const parsed = callbackBody.safeParse(json);
    if (!parsed.success) return sendError(res, 400, 'invalid_request', zodMessage(parsed.error));
    const cb = parsed.data;
    // A replayed callback, however well signed, is refused once it is old.
    if (Math.abs(Date.parse(cb.timestamp) - deps.clock.now().getTime()) > MAX_SKEW_MS) {
      return sendError(res, 401, 'stale_timestamp', 'timestamp is more than 5 minutes from the service clock');
    }
    try {
      const outcome = await ingestReport(
        deps,
        cb.hotfixId,
        { stage: cb.stage, job: cb.job, number: cb.buildNumber, status: cb.status, commit: cb.commit ?? null, artifact: cb.artifact ?? null, qaUrl: cb.qaUrl ?? null, verifyUrl: cb.verifyUrl ?? null, url: cb.url ?? null, source: 'callback' },
        'jenkins',
      );
      if (outcome.kind === 'duplicate') return res.status(200).json({ status: 'duplicate' });
      return res.status(202).json({ status: outcome.kind === 'ignored' ? 'ignored' : 'taken', ...(outcome.kind === 'ignored' ? { reason: outcome.reason } : {}) });
    } catch (err) {
      if (err instanceof NotFoundError) return sendError(res, 404, 'not_found', `no hotfix ${cb.hotfixId}`);
      throw err;
    }
  };
}
