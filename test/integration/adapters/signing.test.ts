// Signatures: the callback HMAC checked against callbacks really sent by the Jenkins simulator's
// pipelines over HTTP, and the email action-link tokens (sign, verify, rotate, expire, tamper).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJenkinsCiServer } from '../../../src/adapters/jenkins/ci-server.js';
import { signBody, verifyBodySignature } from '../../../src/adapters/signing/hmac.js';
import { createLinkSigner } from '../../../src/adapters/signing/link-signer.js';
import { buildParameters } from '../../../src/domain/parameters.js';
import { contractPipeline, startJenkinsSim, type JenkinsSim } from '../../../src/sandbox/index.js';
import { until } from './support.js';

const SECRET = 'callback-secret-for-tests-0123';
const OLD_SECRET = 'callback-secret-before-rotation';

interface Received {
  raw: Buffer;
  signature: string | undefined;
}

describe('callback signatures from real pipeline callbacks', () => {
  let sim: JenkinsSim;
  let receiver: Server;
  let callbackUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    sim = await startJenkinsSim({ user: 'hotfix-bot', apiToken: 'token', callbackSecret: SECRET });
    sim.defineJob('team/payments-hotfix-build', contractPipeline({ durationMs: 1 }));
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header = req.headers['x-hotfix-signature'];
        received.push({ raw: Buffer.concat(chunks), signature: typeof header === 'string' ? header : undefined });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v1/jenkins/events`;
  });
  afterAll(async () => {
    await sim.close();
    await new Promise<void>((resolve) => {
      receiver.close(() => resolve());
      receiver.closeAllConnections();
    });
  });

  async function callbacksOfOneBuild(id: string): Promise<Received[]> {
    const ci = createJenkinsCiServer({ url: sim.url, user: 'hotfix-bot', apiToken: 'token', useCrumb: false, timeoutMs: 3_000 });
    await ci.trigger('team/payments-hotfix-build', buildParameters({ hotfix: { id, service: 'payments' }, callbackUrl }, `hotfix/${id}-x`, 'a'.repeat(40)));
    return until(() => {
      const mine = received.filter((r) => r.raw.toString('utf8').includes(id));
      return mine.length >= 2 ? mine : undefined;
    });
  }

  it('accepts the pipeline’s signature over the raw body, also with the previous secret still configured', async () => {
    const callbacks = await callbacksOfOneBuild('HF-2026-11-001');
    for (const cb of callbacks) {
      expect(verifyBodySignature(cb.raw, cb.signature, [SECRET])).toBe(true);
      expect(verifyBodySignature(cb.raw, cb.signature, [OLD_SECRET, SECRET])).toBe(true);
      expect(verifyBodySignature(cb.raw, cb.signature?.toUpperCase().replace('SHA256=', 'sha256='), [SECRET])).toBe(true);
      expect(cb.signature).toBe(signBody(cb.raw, SECRET));
    }
  });

  it('refuses a forged, missing or mangled signature, and a body changed in transit', async () => {
    sim.setCallbackSigning('wrong-secret');
    const forged = await callbacksOfOneBuild('HF-2026-11-002');
    sim.setCallbackSigning('valid');
    for (const cb of forged) expect(verifyBodySignature(cb.raw, cb.signature, [SECRET, OLD_SECRET])).toBe(false);

    const [genuine] = await callbacksOfOneBuild('HF-2026-11-003');
    if (!genuine) throw new Error('no callback');
    const altered = Buffer.from(genuine.raw.toString('utf8').replace('"SUCCESS"', '"FAILURE"').replace('"STARTED"', '"SUCCESS"'));
    expect(verifyBodySignature(altered, genuine.signature, [SECRET])).toBe(false);
    expect(verifyBodySignature(genuine.raw, undefined, [SECRET])).toBe(false);
    expect(verifyBodySignature(genuine.raw, genuine.signature?.slice('sha256='.length), [SECRET])).toBe(false);
    expect(verifyBodySignature(genuine.raw, 'sha256=', [SECRET])).toBe(false);
    expect(verifyBodySignature(genuine.raw, genuine.signature, [])).toBe(false);
  });
});

describe('email action links', () => {
  const claims = { hotfixId: 'HF-2026-11-001', recipient: 'qa@example.com', decision: 'promote' as const, build: 7, expiresAt: new Date('2026-11-04T09:00:00Z') };
  const now = new Date('2026-11-03T09:00:00Z');

  it('verifies what it signed and returns the claims, with a fresh link id per link', () => {
    const signer = createLinkSigner({ current: 'link-key-current-0123456789', previous: [] });
    const a = signer.sign(claims);
    const b = signer.sign(claims);

    expect(a.linkId).not.toBe(b.linkId);
    expect(a.token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verify(a.token, now)).toEqual({ ok: true, claims: { ...claims, linkId: a.linkId } });
  });

  it('accepts links signed with a previous key after rotation, not with an unknown key', () => {
    const before = createLinkSigner({ current: 'link-key-old-0123456789', previous: [] });
    const after = createLinkSigner({ current: 'link-key-new-0123456789', previous: ['link-key-old-0123456789'] });
    const stranger = createLinkSigner({ current: 'link-key-other-0123456789', previous: [] });
    const { token } = before.sign(claims);

    expect(after.verify(token, now).ok).toBe(true);
    expect(stranger.verify(token, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('reports expiry with the claims, so the page can say which link expired', () => {
    const signer = createLinkSigner({ current: 'link-key-current-0123456789', previous: [] });
    const { token, linkId } = signer.sign(claims);
    expect(signer.verify(token, new Date('2026-11-04T09:00:00Z'))).toEqual({ ok: false, reason: 'expired', claims: { ...claims, linkId } });
  });

  it('rejects tampered and malformed tokens', () => {
    const signer = createLinkSigner({ current: 'link-key-current-0123456789', previous: [] });
    const { token } = signer.sign(claims);
    const [, payload = '', mac = ''] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), d: 'reject' })).toString('base64url');

    expect(signer.verify(`v1.${forgedPayload}.${mac}`, now)).toEqual({ ok: false, reason: 'bad-signature' });
    for (const bad of ['', 'v1', 'v2.' + payload + '.' + mac, `v1.${payload}`, `v1.${payload}.${mac}.x`, `v1.${'A'.repeat(2000)}.${mac}`]) {
      expect(signer.verify(bad, now).ok, bad.slice(0, 20)).toBe(false);
    }
  });

  it('binds the form proof to its token', () => {
    const signer = createLinkSigner({ current: 'link-key-current-0123456789', previous: ['link-key-old-0123456789'] });
    const a = signer.sign(claims).token;
    const b = signer.sign(claims).token;
    expect(signer.checkFormProof(a, signer.formProof(a))).toBe(true);
    expect(signer.checkFormProof(b, signer.formProof(a))).toBe(false);
    expect(signer.checkFormProof(a, '')).toBe(false);
  });
});
