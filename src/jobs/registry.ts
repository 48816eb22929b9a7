// Every step the job queue runs, by name. Adding a step means adding it here; nothing is
// discovered by magic.

import type { StepName } from '../domain/hotfix.js';
import { notifyRequesterStep, prepareQaEmailStep, sendQaEmailStep } from '../workflows/email-steps.js';
import { checkBackmergeStep, mergeProductionStep, openBackmergeStep } from '../workflows/finalize-steps.js';
import { tagEnvironmentStep, tagProductionStep, tagReleaseStep } from '../workflows/tag-steps.js';
import { checkRunStep, triggerRunStep } from '../workflows/jenkins-runs.js';
import { notifySlackStep } from '../workflows/notify-slack.js';
import { startDeployStep } from '../workflows/promotion.js';
import { expireQaStep, provisionQaStep, teardownQaStep } from '../workflows/qa-steps.js';
import { startRollbackStep, tagRollbackStep } from '../workflows/rollback.js';
import { createBranchStep } from '../workflows/start-hotfix.js';
import { verifyStep } from '../workflows/verify-step.js';
import { skip, type Step } from '../workflows/step.js';

export const STEPS: Record<StepName, Step> = {
  'create-branch': createBranchStep,
  'trigger-run': triggerRunStep,
  'check-run': checkRunStep,
  'provision-qa': provisionQaStep,
  'prepare-qa-email': prepareQaEmailStep,
  'send-qa-email': sendQaEmailStep,
  'expire-qa': expireQaStep,
  'teardown-qa': teardownQaStep,
  'notify-requester': notifyRequesterStep,
  'start-deploy': startDeployStep,
  'tag-production': tagProductionStep,
  'merge-production': mergeProductionStep,
  'open-backmerge': openBackmergeStep,
  'check-backmerge': checkBackmergeStep,
  'start-rollback': startRollbackStep,
  'tag-rollback': tagRollbackStep,
  'notify-slack': notifySlackStep,
  'tag-release': tagReleaseStep,
  'tag-environment': tagEnvironmentStep,
  verify: verifyStep,
  // Completing it is the point: `change` then runs `advance` on the record.
  wake: (deps, input) => skip(deps, input),
};

export function isStepName(name: string): name is StepName {
  return Object.hasOwn(STEPS, name);
}
