// Everything a workflow may use, built once at start-up (main.ts) and passed in.

import type { ServicePolicy, VerificationPolicy } from '../domain/policy.js';
import type { ChatInteractions } from '../ports/chat-interactions.js';
import type { ChatNotifier } from '../ports/chat-notifier.js';
import type { CiServer } from '../ports/ci-server.js';
import type { DeployRegistry } from '../ports/deploy-registry.js';
import type { FreezeSchedule } from '../ports/freeze-schedule.js';
import type { Clock } from '../ports/clock.js';
import type { GitRepo } from '../ports/git-repo.js';
import type { HealthChecker, VerificationChecks } from '../ports/health-checker.js';
import type { HotfixStore } from '../ports/hotfix-store.js';
import type { LinkSigner } from '../ports/link-signer.js';
import type { Locker } from '../ports/locker.js';
import type { Logger } from '../ports/logger.js';
import type { Mailer } from '../ports/mailer.js';
import type { PullRequestHost } from '../ports/pull-request-host.js';
import type { QaProvider } from '../ports/qa-provider.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { Telemetry } from '../ports/telemetry.js';

/** A service as workflows see it: its policy plus where its code lives and its team talks. */
export interface ServiceSetup extends ServicePolicy {
  repo: string;
  slack: { channel: string };
  /** Global and per-service freeze windows together. */
  freezes: FreezeSchedule;
  verification?: (VerificationPolicy & VerificationChecks) | null;
}

export interface ServiceDirectory {
  get(name: string): ServiceSetup | undefined;
  names(): string[];
}

export interface Settings {
  publicUrl: string;
  pollIntervalMs: number;
  deployTimeoutMs: number;
  backmergeCheckMs: number;
  branchRecoveryMs: number;
  /** IANA time zone the pages show times in. */
  timeZone: string;
  /** The QA-ready Slack message carries Promote/Reject buttons (a signing secret is configured). */
  slackButtons: boolean;
}

export interface Deps {
  store: HotfixStore;
  scheduler: Scheduler;
  clock: Clock;
  ci: CiServer;
  deployments: DeployRegistry;
  git: GitRepo;
  mailer: Mailer;
  chat: ChatNotifier;
  interactions: ChatInteractions;
  links: LinkSigner;
  locker: Locker;
  qa(service: string): QaProvider;
  pullRequests(service: string): PullRequestHost;
  services: ServiceDirectory;
  settings: Settings;
  telemetry: Telemetry;
  health: HealthChecker;
  log: Logger;
}

export function callbackUrl(settings: Settings): string {
  return `${settings.publicUrl}/api/v1/jenkins/events`;
}
