// The fault suite's process entry: the service's own process, with the crash points named in
// HOTFIX_CHAOS wrapped around its ports (chaos.ts). cluster.ts starts processes through it.

import { runProcess } from '../../src/process.js';
import { chaosDecorators, parseChaos } from './chaos.js';

const plan = parseChaos(process.env.HOTFIX_CHAOS);
runProcess({
  decorate: (log) => {
    if (!plan) return undefined;
    log.warn({ points: [...plan.points.keys()] }, 'HOTFIX_CHAOS is set: this process will kill itself at these points');
    return chaosDecorators(plan);
  },
});
