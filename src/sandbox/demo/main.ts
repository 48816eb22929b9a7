/**
 * `npm run demo`: start the whole hotfix road on this machine and print the one URL to open.
 * Needs only Node, git and redis-server (or REDIS_URL). Ctrl-C stops everything it started.
 *
 * Environment: DEMO_PORT (inbox page, default 4000), DEMO_PRODUCTION_PORT (default any free
 * port), REDIS_URL (use that Redis instead of a private one). `npm run demo -- --bad`: the first
 * hotfix breaks production's /health, fails its verification and is rolled back.
 */
import { startDemo, type RunningDemo } from './start-demo.js';

const started = performance.now();
const say = (line: string): void => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[${seconds}s] ${line}`);
};

function portFrom(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got '${value}'`);
  return port;
}

async function main(): Promise<void> {
  let demo: RunningDemo | undefined;
  let stoppingSince: number | undefined;
  const shutdown = (running: RunningDemo, signal: string): void => {
    say(`${signal}: stopping everything the demo started…`);
    running.stop().then(
      () => {
        say('Stopped. Bye.');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: string): void => {
    if (stoppingSince !== undefined) {
      // Ctrl-C reaches the demo twice (from the terminal and relayed by npm/tsx): ignore the echo.
      if (performance.now() - stoppingSince < 1000) return;
      console.log('Quitting at once.');
      process.exit(130);
    }
    stoppingSince = performance.now();
    // During start-up there is nothing to stop yet; startDemo's result is stopped as soon as it comes.
    if (demo) shutdown(demo, signal);
    else say(`${signal}: stopping as soon as the start-up finishes…`);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGHUP', () => onSignal('SIGHUP'));
  // Last resort when the demo ends without stopping (a crash): its child processes run in
  // their own process groups, so nothing else would end them.
  process.on('exit', () => {
    for (const pid of demo?.processes() ?? []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  say('Starting the hotfix demo: Redis, a git origin with the sample app, Jenkins (simulated, jobs run for real), SMTP, Slack, GitHub, the service…');
  try {
    const port = portFrom('DEMO_PORT');
    const productionPort = portFrom('DEMO_PRODUCTION_PORT');
    demo = await startDemo({
      say,
      ...(port === undefined ? {} : { port }),
      ...(productionPort === undefined ? {} : { productionPort }),
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      bad: process.argv.includes('--bad'),
    });
  } catch (err) {
    // Ctrl-C during start-up also reaches the commands being run, so start-up fails: that is the stop asked for.
    if (stoppingSince !== undefined) {
      say('Stopped during start-up. Bye.');
      process.exit(130);
    }
    console.error(`\nThe demo could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  if (stoppingSince !== undefined) {
    shutdown(demo, 'stop requested during start-up');
    return;
  }
  console.log(`
  Open the demo inbox:  ${demo.urls.inbox}

  It shows the QA email (with its promote/reject links), the Slack thread (with Promote and
  Reject buttons), the hotfix as the API reports it, the pull requests, and links to QA and
  production. Approve as the tech lead and the business owner — "Promote to production" in
  their emails, or Promote in the Slack thread — and watch production change.

  web console:  ${demo.urls.service}/console   (sign in with the API token below)
  terminal:     HOTFIX_URL=${demo.urls.service} HOTFIX_TOKEN=${demo.apiToken} npx hotfix status ${demo.firstHotfixId}
  production:   ${demo.urls.production}
  service API:  ${demo.urls.service}/api/v1/hotfixes   (Authorization: Bearer ${demo.apiToken})
  service log:  ${demo.serviceLog}

  Ctrl-C stops everything.
`);
}

void main();
