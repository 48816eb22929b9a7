// A freeze window in force: promotion needs an override from the configured group, with a
// reason; without it the answer names the freeze and its end, and nothing deploys.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

const LEAD = 'lead-token-0123456789abcdef';
const FINANCE = 'finance-token-0123456789ab';
let h: Harness;
const until = new Date(Date.now() + 3_600_000);
// A recurring window that is never in force while the test runs: it starts two days from now and
// lasts an hour (a fixed "Friday 16:00, 64 h" was in force on Friday afternoons and named itself).
const later = new Date(Date.now() + 2 * 24 * 3_600_000);
const recurring = `${later.getUTCMinutes()} ${later.getUTCHours()} * * ${later.getUTCDay()}`;

beforeAll(async () => {
  h = await startHarness({
    config: (raw) => {
      raw.auth = {
        tokens: [
          { principal: 'lead@example.com', roles: ['approver'], token: LEAD },
          { principal: 'ann@finance.example.com', roles: ['approver'], token: FINANCE },
        ],
      };
      raw.freezes = [{ name: 'year-end', from: new Date(Date.now() - 60_000).toISOString(), to: until.toISOString() }];
      const service = raw.services[0];
      if (!service) throw new Error('no service');
      service.approvals = {
        groups: [
          { name: 'lead', required: 1, members: ['lead@example.com'] },
          { name: 'business', required: 1, members: ['*@finance.example.com'] },
        ],
      };
      service.freezeOverride = { group: 'lead' };
      service.freezes = [{ name: 'weekend', cron: recurring, durationHours: 1, timezone: 'UTC' }];
    },
  });
});
afterAll(async () => {
  await h?.close();
});

const as = (token: string, path: string, body: unknown) =>
  fetch(`${h.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { state?: string; error?: { code: string; message: string; freeze?: { name: string; until: string } } } }));

describe('during a freeze window', () => {
  it('lists the windows in force and the next ones', async () => {
    const res = await h.api('GET', '/api/v1/freezes?service=payments');
    expect(res.status).toBe(200);
    const body = res.body as { services: Array<{ service: string; active: Array<{ name: string; until: string }>; next: Array<{ name: string }>; override: string }> };
    expect(body.services[0]?.active.map((a) => a.name)).toContain('year-end');
    expect(body.services[0]?.next.map((n) => n.name)).toContain('weekend');
    expect(body.services[0]?.override).toBe('lead');
  });

  it('a promote without an override is 409 frozen, naming the freeze and its end; nothing is recorded', async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'During the freeze' })).id, 'awaiting_approval');
    const mail = await h.smtp.waitFor((m) => m.envelope.to.includes('lead@example.com') && (m.parsed.subject ?? '').includes(hf.id));
    expect(mail.parsed.text).toContain('Production is frozen (year-end)');
    const res = await as(LEAD, `/api/v1/hotfixes/${hf.id}/promote`, {});
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe('frozen');
    expect(res.body.error?.message).toContain('year-end');
    expect(res.body.error?.freeze?.until).toBe(until.toISOString());
    // The email link's page says so too, and its POST changes nothing.
    const link = actionLinks(mail.parsed.text ?? '').promote;
    const page = await openAction(link);
    expect(page.html).toContain('year-end');
    expect((await submitAction(link, page)).status).toBe(409);
    const still = await h.get(hf.id);
    expect(still.approvals).toEqual([]);
    expect(still.state).toBe('awaiting_approval');
  });

  it('with a lead override and a reason, and business agreeing, it deploys; the override is on record', async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'Emergency in the freeze' })).id, 'awaiting_approval');
    expect((await as(FINANCE, `/api/v1/hotfixes/${hf.id}/promote`, { override: 'I am not a lead' })).status).toBe(403);
    const lead = await as(LEAD, `/api/v1/hotfixes/${hf.id}/promote`, { override: 'card payments fail for every EU customer' });
    expect(lead.status).toBe(202);
    expect((await as(FINANCE, `/api/v1/hotfixes/${hf.id}/promote`, {})).status).toBe(202);
    const done = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(done.promotion?.override).toMatchObject({ by: 'lead@example.com', reason: 'card payments fail for every EU customer', freeze: 'year-end' });
    expect(h.jenkins.triggers.filter((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === hf.id)).toHaveLength(1);
    expect(h.origin.tagMessage(done.tags[0] ?? '')).toContain('Freeze year-end overridden by lead@example.com');
  });
});
