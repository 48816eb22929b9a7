/**
 * The service's configuration for the demo: the same schema as config/hotfix.yaml, pointed
 * at the local stand-ins. Secrets are made up fresh on every start (nothing to leak, and a
 * link from an earlier run cannot work in this one).
 */
import { randomBytes } from 'node:crypto';
import { configSchema, type Config } from '../../config/schema.js';
import type { DemoJobNames } from './jobs/index.js';
import { BRANCHES } from './origin.js';

export const DEMO_SERVICE = 'coffee-shop';
export const DEMO_CHANNEL = '#coffee-shop';
export const DEMO_REPOSITORY = 'acme/coffee-shop';
export const QA_RECIPIENT = 'qa@example.com';
/** The two people who must approve: a tech lead and a business owner (one of each group). */
export const DEMO_LEAD = 'lead@example.com';
export const DEMO_BUSINESS = 'owner@finance.example.com';
export const JENKINS_USER = 'hotfix-bot';
/** The Slack workspace's people: the two approvers and QA, who click the thread's buttons. */
export const DEMO_SLACK_USERS = [
  { id: 'U0LEAD', name: 'Lee (tech lead)', email: DEMO_LEAD },
  { id: 'U0OWNER', name: 'Olu (business owner)', email: DEMO_BUSINESS },
  { id: 'U0QA', name: 'Quinn (QA)', email: QA_RECIPIENT },
];

/** Jenkins jobs, in a folder as many teams have them. */
export const DEMO_JOBS: DemoJobNames = {
  build: 'coffee-shop/hotfix-build',
  qaUp: 'coffee-shop/qa-up',
  qaDown: 'coffee-shop/qa-down',
  deploy: 'coffee-shop/deploy-production',
};

export interface DemoSecrets {
  linkSigningKey: string;
  callbackSecret: string;
  apiToken: string;
  jenkinsToken: string;
  slackToken: string;
  slackSigningSecret: string;
  githubToken: string;
}

export function makeSecrets(): DemoSecrets {
  const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
  return {
    linkSigningKey: hex(32),
    callbackSecret: hex(24),
    apiToken: `demo-${hex(16)}`,
    jenkinsToken: hex(16),
    slackToken: `xoxb-demo-${hex(8)}`,
    slackSigningSecret: hex(16),
    githubToken: `ghp_demo${hex(12)}`,
  };
}

export interface DemoEndpoints {
  servicePort: number;
  redisUrl: string;
  redisPrefix: string;
  jenkinsUrl: string;
  smtpUrl: string;
  slackUrl: string;
  githubUrl: string;
  originUrl: string;
  dataDir: string;
  /** Production as its users reach it: what the verification checks after a deploy. */
  productionUrl: string;
}

export function demoConfig(e: DemoEndpoints, secrets: DemoSecrets): Config {
  return configSchema.parse({
    // The QA email's links point here, so they open in the person's browser on this machine.
    server: { port: e.servicePort, publicUrl: `http://127.0.0.1:${e.servicePort}`, rateLimits: { api: 0, actions: 30 } },
    redis: { url: e.redisUrl, prefix: e.redisPrefix },
    secrets: { linkSigningKey: secrets.linkSigningKey, callbackSecret: secrets.callbackSecret, apiTokens: [secrets.apiToken] },
    // Callbacks carry the news; polling only makes up for lost ones, so a short interval is plenty.
    jenkins: { url: e.jenkinsUrl, user: JENKINS_USER, apiToken: secrets.jenkinsToken, pollIntervalSeconds: 5 },
    smtp: { url: e.smtpUrl, from: 'Hotfix Bot <hotfix@example.com>' },
    // With the signing secret, the QA-ready message in Slack carries Promote/Reject buttons.
    slack: { token: secrets.slackToken, apiUrl: e.slackUrl, signingSecret: secrets.slackSigningSecret },
    // The back-merge check runs often so "completed" shows soon after the pull request is merged.
    git: { dataDir: e.dataDir, author: { name: 'Hotfix Bot', email: 'hotfix-bot@example.com' }, backmergeCheckSeconds: 2 },
    services: [
      {
        name: DEMO_SERVICE,
        repo: e.originUrl,
        branches: BRANCHES,
        tags: { production: 'prod-{build}', release: 'v{version}' },
        jobs: DEMO_JOBS,
        qa: { provider: 'jenkins', ttlHours: 24, recipients: [QA_RECIPIENT] },
        // A tech lead and a business owner, as the organisation asks: the inbox shows the
        // hotfix waiting for business after the lead's click.
        approvals: {
          groups: [
            { name: 'lead', required: 1, members: [DEMO_LEAD] },
            { name: 'business', required: 1, members: [DEMO_BUSINESS, '*@finance.example.com'] },
          ],
        },
        // After a deploy, production's own health check must hold for a short window before
        // the release tag and master: `npm run demo -- --bad` shows one that does not.
        verification: { windowSeconds: 8, intervalSeconds: 1, failuresInARow: 3, http: [{ url: `${e.productionUrl}/health`, status: 200 }] },
        slack: { channel: DEMO_CHANNEL },
        pullRequests: { provider: 'github', apiUrl: e.githubUrl, repository: DEMO_REPOSITORY, token: secrets.githubToken },
      },
    ],
  });
}
