import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type ErrorBody = { error: { code: string; message: string; files?: string[] } };

describe('requesting a hotfix', () => {
  it('names the field that is wrong', async () => {
    const cases: Array<[unknown, string]> = [
      [{ title: 'x y z', requestedBy: 'dev@example.com' }, 'service: required'],
      [{ service: 'payments', requestedBy: 'dev@example.com' }, 'title: required'],
      [{ service: 'payments', title: 'ok title', requestedBy: 'not-an-email' }, 'requestedBy: must be an email address'],
      [{ service: 'payments', title: 'ok title', requestedBy: 'dev@example.com', commits: ['zzz'] }, 'commits[0]: must be a commit id'],
      [{ service: 'payments', title: 'ok title', requestedBy: 'dev@example.com', color: 'red' }, 'unknown field(s) color'],
      [{ service: 'billing', title: 'ok title', requestedBy: 'dev@example.com' }, "service: unknown service 'billing' (configured: payments)"],
      [{ service: 'payments', title: 'ok title', requestedBy: 'dev@example.com', baseRef: 'develop' }, 'baseRef: must name an existing production tag'],
      [{ service: 'payments', title: 'ok title', requestedBy: 'dev@example.com', baseRef: '--upload-pack=touch /tmp/x' }, 'baseRef: must be a production tag name'],
    ];
    for (const [body, message] of cases) {
      const res = await h.api('POST', '/api/v1/hotfixes', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as ErrorBody).error.code).toBe('invalid_request');
      expect((res.body as ErrorBody).error.message).toContain(message);
    }
    const raw = await fetch(`${h.url}/api/v1/hotfixes`, { method: 'POST', headers: { authorization: `Bearer ${'api-token-for-tests-0123456789'}`, 'content-type': 'application/json' }, body: '{"service": ' });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as ErrorBody).error.code).toBe('invalid_json');
    const huge = await fetch(`${h.url}/api/v1/hotfixes`, { method: 'POST', headers: { authorization: `Bearer ${'api-token-for-tests-0123456789'}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(200_000) }) });
    expect(huge.status).toBe(413);
  });

  it('refuses missing and wrong bearer tokens', async () => {
    expect((await fetch(`${h.url}/api/v1/hotfixes`)).status).toBe(401);
    const wrong = await fetch(`${h.url}/api/v1/hotfixes`, { headers: { authorization: 'Bearer api-token-for-tests-0123456780' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('keeps hostile titles out of git and shells', async () => {
    for (const title of ['"; rm -rf / #', '--upload-pack=touch /tmp/pwned', 'Währung: Rundung 💸 korrigiert', '$(reboot) `id` ../../etc/passwd']) {
      const hf = await h.createHotfix({ title });
      expect(hf.title).toBe(title.trim());
      expect(hf.branch).toMatch(/^hotfix\/HF-\d{4}-\d{2}-\d{3}-[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(h.origin.remoteRev(`refs/heads/${hf.branch}`)).not.toBeNull();
    }
    const accented = (await h.api('GET', '/api/v1/hotfixes?limit=200')).body as { items: HotfixView[] };
    expect(accented.items.some((x) => x.branch.endsWith('-wahrung-rundung-korrigiert'))).toBe(true);
  });

  it('a cherry-pick conflict is a 409 listing the files, and nothing is pushed', async () => {
    const clash = h.origin.commit('feature/clash', { 'fees.js': 'export const fee = 99;\n' }, 'Change fee differently', 'prod-9');
    h.origin.commit('feature/clash', { 'fees.js': 'export const fee = 100;\n' }, 'Change fee again');
    const before = h.origin.git(['ls-remote', '--heads', 'origin']);
    const res = await h.api('POST', '/api/v1/hotfixes', { service: 'payments', title: 'Conflicting fix', requestedBy: 'dev@example.com', commits: [h.origin.rev('origin/feature/clash')] });
    expect(res.status).toBe(409);
    expect((res.body as ErrorBody).error.files).toEqual(['fees.js']);
    expect(h.origin.git(['ls-remote', '--heads', 'origin'])).toBe(before);
    expect(clash).toMatch(/^[0-9a-f]{40}$/);
  });

  it('an unknown commit is a 400 naming it', async () => {
    const res = await h.api('POST', '/api/v1/hotfixes', { service: 'payments', title: 'Ghost commit', requestedBy: 'dev@example.com', commits: ['deadbeefdeadbeef'] });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.message).toContain('commits[0]');
  });

  it('Idempotency-Key returns the same hotfix for a retried request', async () => {
    const body = { service: 'payments', title: 'Retried request', requestedBy: 'dev@example.com' };
    const first = await h.api('POST', '/api/v1/hotfixes', body, { 'idempotency-key': 'req-123' });
    const second = await h.api('POST', '/api/v1/hotfixes', body, { 'idempotency-key': 'req-123' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect((second.body as HotfixView).id).toBe((first.body as HotfixView).id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await h.api('POST', '/api/v1/hotfixes', { ...body, title: 'Something else' }, { 'idempotency-key': 'req-123' });
    expect(other.status).toBe(400);
    expect((other.body as ErrorBody).error.message).toContain('Idempotency-Key');
  });

  it('keeps idle connections longer than clients and load balancers do (Keep-Alive: timeout=65)', async () => {
    const res = await fetch(`${h.url}/healthz`);
    await res.text();
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('gives unique IDs to concurrent requests', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => h.createHotfix({ title: `Concurrent ${i}` })));
    const ids = results.map((r) => r.id);
    expect(new Set(ids).size).toBe(12);
    const branches = new Set(results.map((r) => r.branch));
    expect(branches.size).toBe(12);
  });

  it('lists newest first and filters by state and service', async () => {
    const list = (await h.api('GET', '/api/v1/hotfixes?service=payments&limit=5')).body as { items: HotfixView[]; next?: { before: string } };
    expect(list.items).toHaveLength(5);
    const times = list.items.map((x) => x.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(list.next?.before).toBe(list.items.at(-1)?.id);
    const page2 = (await h.api('GET', `/api/v1/hotfixes?service=payments&limit=5&before=${list.next?.before ?? ''}`)).body as { items: HotfixView[] };
    expect(page2.items).toHaveLength(5);
    expect(page2.items.every((x) => x.createdAt <= (times.at(-1) ?? '') && !list.items.some((y) => y.id === x.id))).toBe(true);
    const bad = await h.api('GET', '/api/v1/hotfixes?state=sleeping');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('state');
    const one = await h.api('GET', `/api/v1/hotfixes/${list.items[0]?.id}`);
    expect(one.status).toBe(200);
    expect((one.body as HotfixView).events.length).toBeGreaterThan(0);
    expect((one.body as Record<string, unknown>).outbox).toBeUndefined();
    expect((await h.api('GET', '/api/v1/hotfixes/HF-1999-01-001')).status).toBe(404);
    expect((await h.api('GET', '/api/v1/hotfixes/..%2F..%2Fetc')).status).toBe(404);
  });
});
