// The documented example config and the environment its ${VAR}s need: what a new operator
// starts from, shared by the config tests and the start-up tests.

import { readFileSync } from 'node:fs';

export const EXAMPLE_CONFIG = readFileSync(new URL('../../config/hotfix.example.yaml', import.meta.url), 'utf8');

export const EXAMPLE_ENV = {
  HOTFIX_LINK_SECRET: 'l'.repeat(40),
  HOTFIX_CALLBACK_SECRET: 'c'.repeat(20),
  HOTFIX_API_TOKEN: 't'.repeat(24),
  JENKINS_API_TOKEN: 'jenkins-token',
  SLACK_BOT_TOKEN: 'xoxb-1',
  GITHUB_TOKEN: 'ghp_1',
};
