// A real browser for the pages people see: Debian's Chromium driven by playwright-core.
// `.ci/run` installs it; elsewhere set CHROMIUM_PATH. Every page a test opens records the
// console errors and failed requests it caused, so "no console errors" is checked, not hoped.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 },
} as const;

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught page errors, failed requests and 4xx/5xx sub-resources, as lines. */
  problems: string[];
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const documents = new Map<string, number>();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium reports a document's own 4xx as a console error: that status is the page's
    // answer (409 "already used", 410 "expired", as the contract says), not a fault of it.
    const status = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text())?.[1];
    if (status && documents.get(m.location().url) === Number(status)) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.request().resourceType() === 'document') documents.set(r.url(), r.status());
    // Anything a page loads must work.
    else if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  return { page, problems };
}

/** The text a person sees (no markup), with runs of white space made one. */
export async function visibleText(page: Page): Promise<string> {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
}
