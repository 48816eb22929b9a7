// QA environments made by the team's qaUp/qaDown Jenkins jobs; the URL arrives with the
// qa-up run's callback (or its archived hotfix-callback.json).

import type { CiServer } from '../../ports/ci-server.js';
import type { QaOutcome, QaProvider, QaRequest } from '../../ports/qa-provider.js';

export function createJenkinsQaProvider(ci: CiServer, jobs: { qaUp: string; qaDown: string }): QaProvider {
  async function run(job: string, req: QaRequest): Promise<QaOutcome> {
    const triggered = await ci.triggerOnce(job, req.parameters, { resumed: req.resumed, since: req.since });
    return { kind: 'started', queueId: triggered.queueId, number: triggered.number, url: triggered.url };
  }
  return {
    up: (req) => run(jobs.qaUp, req),
    down: (req) => run(jobs.qaDown, req),
  };
}
