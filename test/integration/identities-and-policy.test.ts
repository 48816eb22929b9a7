// Who may do what, end to end: API tokens bound to principals and roles, SSO tokens checked
// against a JWKS this test serves, the lead-and-business approval policy, no self-approval by
// any route, and the signed evidence bundle.

import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const T = {
  dev: 'dev-token-0123456789abcdef',
  devApprover: 'dev-second-token-0123456789',
  lead: 'lead-token-0123456789abcdef',
  finance: 'finance-token-0123456789ab',
  ops: 'ops-token-0123456789abcdefg',
};
const EVIDENCE_KEY = 'evidence-signing-key-for-tests-0123456789';
const ISSUER = 'https://idp.example.com';

let h: Harness;
let jwks: Server;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: PrivateKey;
let otherKey: PrivateKey;

async function startJwks(keys: JWK[]): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/jwks') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

beforeAll(async () => {
  const good = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  signingKey = good.privateKey;
  otherKey = other.privateKey;
  jwks = await startJwks([{ ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }]);
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
  h = await startHarness({
    pollIntervalSeconds: 1,
    config: (raw) => {
      raw.auth = {
        tokens: [
          { principal: 'dev@example.com', roles: ['requester'], token: T.dev },
          { principal: 'dev@example.com', roles: ['requester', 'approver'], token: T.devApprover },
          { principal: 'lead@example.com', roles: ['approver'], token: T.lead },
          { principal: 'ann@finance.example.com', roles: ['approver'], tokenSha256: createHash('sha256').update(T.finance).digest('hex') },
          { principal: 'ops@example.com', roles: ['operator'], token: T.ops },
        ],
        oidc: { issuer: ISSUER, audience: 'hotfix', jwksUrl, principalClaim: 'email', rolesClaim: 'roles' },
      };
      raw.secrets.evidenceSigningKey = EVIDENCE_KEY;
      const service = raw.services[0];
      if (!service) throw new Error('no service');
      service.approvals = {
        groups: [
          // dev@ leads too: the requester's own approval must not count all the same.
          { name: 'lead', required: 1, members: ['lead@example.com', 'cto@example.com', 'dev@example.com'] },
          { name: 'business', required: 1, members: ['*@finance.example.com'] },
        ],
      };
      // The requester is on the QA list too: their own link must not approve.
      service.qa = { provider: 'jenkins', ttlHours: 24, recipients: ['qa-team@example.com', 'dev@example.com'] };
    },
  });
});
afterAll(async () => {
  await h?.close();
  await new Promise<void>((r) => (jwks ? jwks.close(() => r()) : r()));
});

async function call(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: { error?: { code: string; message: string } } & Partial<HotfixView> & Record<string, unknown>; headers: Headers; text: string }> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // Markdown
  }
  return { status: res.status, body: parsed as never, headers: res.headers, text };
}

function sso(claims: Record<string, unknown>, opts: { key?: PrivateKey; kid?: string; audience?: string; expiresIn?: string | number } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' }).setIssuer(ISSUER).setAudience(opts.audience ?? 'hotfix').setIssuedAt();
  if (opts.expiresIn !== undefined) jwt.setExpirationTime(opts.expiresIn);
  else jwt.setExpirationTime('10m');
  return jwt.sign(opts.key ?? signingKey);
}

async function toQa(title: string): Promise<HotfixView> {
  const created = await call(T.dev, 'POST', '/api/v1/hotfixes', { service: 'payments', title, commits: [h.origin.fix(title)] });
  expect(created.status).toBe(201);
  return h.waitForState(created.body.id ?? '', 'awaiting_approval');
}

describe('identities', () => {
  it('the actor is the caller: a body naming someone else is refused for anyone but an admin', async () => {
    const created = await call(T.dev, 'POST', '/api/v1/hotfixes', { service: 'payments', title: 'Mine, by my token', requestedBy: 'someone@example.com' });
    expect(created.status).toBe(403);
    expect(created.body.error?.code).toBe('actor_mismatch');
    const mine = await call(T.dev, 'POST', '/api/v1/hotfixes', { service: 'payments', title: 'Mine, by my token' });
    expect(mine.status).toBe(201);
    expect(mine.body.requestedBy).toBe('dev@example.com');
    // An admin may file for someone: recorded as such.
    const filed = await h.api('POST', '/api/v1/hotfixes', { service: 'payments', title: 'Filed for dev', requestedBy: 'dev@example.com' });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ requestedBy: 'dev@example.com', createdBy: 'api' });
    await h.waitForState(mine.body.id ?? '', 'awaiting_approval');
    await h.api('POST', `/api/v1/hotfixes/${mine.body.id ?? ''}/cancel`, {});
    await h.api('POST', `/api/v1/hotfixes/${(filed.body as HotfixView).id}/cancel`, {});
  });

  it('roles decide what each principal may do', async () => {
    const hf = await toQa('Roles');
    expect((await call(T.lead, 'POST', '/api/v1/hotfixes', { service: 'payments', title: 'Lead cannot request' })).status).toBe(403);
    expect((await call(T.dev, 'POST', `/api/v1/hotfixes/${hf.id}/retry`, {})).body.error?.code).toBe('forbidden');
    expect((await call(T.dev, 'POST', `/api/v1/hotfixes/${hf.id}/rollback`, { reason: 'x' })).status).toBe(403);
    expect((await call(T.ops, 'POST', `/api/v1/hotfixes/${hf.id}/promote`, {})).status).toBe(403);
    expect((await call(T.finance, 'POST', `/api/v1/hotfixes/${hf.id}/builds`, {})).status).toBe(403);
    expect((await call(T.ops, 'GET', `/api/v1/hotfixes/${hf.id}`)).status).toBe(200);
    expect((await call('not-a-token-at-all-0123456789', 'GET', '/api/v1/hotfixes')).status).toBe(401);
    expect((await call(T.ops, 'POST', `/api/v1/hotfixes/${hf.id}/cancel`, { reason: 'an operator may' })).status).toBe(202);
  });

  it('SSO: a token from the identity provider names the principal; expired, wrong audience, wrong key and alg none are refused', async () => {
    const ok = await sso({ email: 'Lead@Example.com', roles: ['approver'] });
    const me = await call(ok, 'GET', '/api/v1/hotfixes');
    expect(me.status).toBe(200);
    const refused = [
      await sso({ email: 'lead@example.com', roles: ['approver'] }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      await sso({ email: 'lead@example.com', roles: ['approver'] }, { audience: 'someone-else' }),
      await sso({ email: 'lead@example.com', roles: ['approver'] }, { key: otherKey }),
      await sso({ email: 'lead@example.com', roles: ['approver'] }, { key: otherKey, kid: 'k2' }),
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: 'hotfix', email: 'lead@example.com', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.`,
    ];
    for (const token of refused) expect((await call(token, 'GET', '/api/v1/hotfixes')).status).toBe(401);
  });
});

describe('no one approves their own hotfix, by any route', () => {
  it('not with a second token, not with a forged actor, not with their own email link', async () => {
    const hf = await toQa('Four eyes');
    const second = await call(T.devApprover, 'POST', `/api/v1/hotfixes/${hf.id}/promote`, {});
    expect(second.status).toBe(403);
    expect(second.body.error?.message).toContain('requested this hotfix');
    const forged = await call(T.devApprover, 'POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'lead@example.com' });
    expect(forged.body.error?.code).toBe('actor_mismatch');
    const mail = await h.smtp.waitFor((m) => m.envelope.to.includes('dev@example.com') && (m.parsed.subject ?? '').includes(hf.id));
    const links = actionLinks(mail.parsed.text ?? '');
    const page = await openAction(links.promote);
    const done = await submitAction(links.promote, page);
    expect(done.status).toBe(403);
    expect(done.html).toContain('requested this hotfix');
    const after = await h.get(hf.id);
    expect(after.approvals).toEqual([]);
    expect(after.state).toBe('awaiting_approval');
    await h.api('POST', `/api/v1/hotfixes/${hf.id}/cancel`, {});
  });
});

describe('a tech lead and a business owner', () => {
  let done: HotfixView;

  it('one of each is needed; the API, the email and the page say whom it still waits for', async () => {
    const hf = await toQa('Lead and business');
    const mail = await h.smtp.waitFor((m) => m.envelope.to.includes('lead@example.com') && (m.parsed.subject ?? '').includes(hf.id));
    expect(mail.parsed.text).toContain('business: waiting — 1 of *@finance.example.com');
    const lead = await call(await sso({ email: 'lead@example.com', roles: ['approver'] }), 'POST', `/api/v1/hotfixes/${hf.id}/promote`, { comment: 'reviewed the diff' });
    expect(lead.status).toBe(202);
    expect(lead.body.state).toBe('awaiting_approval');
    expect(lead.body.policy).toEqual({
      groups: [
        { name: 'lead', required: 1, approvedBy: ['lead@example.com'], met: true },
        { name: 'business', required: 1, approvedBy: [], met: false },
      ],
      freeze: null,
    });
    const business = await call(T.finance, 'POST', `/api/v1/hotfixes/${hf.id}/promote`, {});
    expect(business.body.state).toBe('deploying');
    done = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(done.approvals.map((a) => [a.actor, a.group, a.via])).toEqual([
      ['lead@example.com', 'lead', 'sso'],
      ['ann@finance.example.com', 'business', 'api'],
    ]);
  });

  it('the evidence bundle matches the history and is signed', async () => {
    // Work after awaiting_backmerge (the Slack post, the back-merge check) still adds events:
    // compare with the record once nothing is left to run, not with the earlier snapshot.
    done = await h.settle(done.id);
    const json = await call(T.ops, 'GET', `/api/v1/hotfixes/${done.id}/evidence`);
    expect(json.status).toBe(200);
    expect(json.headers.get('x-hotfix-evidence-signature')).toBe(`sha256=${createHmac('sha256', EVIDENCE_KEY).update(json.text).digest('hex')}`);
    const e = json.body as unknown as Record<string, unknown> & { approvals: Array<Record<string, unknown>>; builds: unknown[]; qa: Array<Record<string, unknown>>; tags: string[]; deploys: unknown[]; timeline: unknown[]; requested: Record<string, unknown> };
    expect(e.requested).toMatchObject({ by: 'dev@example.com', at: done.createdAt });
    expect(e.approvals.map((a) => [a.principal, a.group, a.channel, a.decision])).toEqual([
      ['lead@example.com', 'lead', 'sso', 'promote'],
      ['ann@finance.example.com', 'business', 'api', 'promote'],
    ]);
    expect(e.builds).toHaveLength(done.builds.length);
    expect(e.deploys).toHaveLength(1);
    expect(e.tags).toEqual(done.tags);
    expect(e.qa[0]).toMatchObject({ env: done.qa?.env, status: 'down' });
    expect(typeof e.qa[0]?.livedSeconds).toBe('number');
    expect(e.timeline).toHaveLength(done.events.length);
    const md = await call(T.ops, 'GET', `/api/v1/hotfixes/${done.id}/evidence.md`);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(md.headers.get('x-hotfix-evidence-signature')).toBe(`sha256=${createHmac('sha256', EVIDENCE_KEY).update(md.text).digest('hex')}`);
    expect(md.text).toContain(`# Evidence for hotfix ${done.id}`);
    expect(md.text).toContain('| lead@example.com | lead@example.com | lead | promote |');
    // The production tag's annotation carries the summary.
    const tag = h.origin.tagMessage(done.tags[0] ?? '');
    expect(tag).toContain('lead@example.com for lead');
    expect(tag).toContain('ann@finance.example.com for business');
  });
});
