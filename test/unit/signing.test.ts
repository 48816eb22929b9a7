import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacHex, safeEqual, signBody, verifyBodySignature } from '../../src/adapters/signing/hmac.js';
import { createLinkSigner } from '../../src/adapters/signing/link-signer.js';
import type { LinkClaims } from '../../src/ports/link-signer.js';

const NOW = new Date('2026-11-05T10:00:00Z');
const LATER = new Date('2026-11-06T10:00:00Z');
const KEY = 'current-link-key-0123456789';
const OLD_KEY = 'old-link-key-9876543210';

const claims: Omit<LinkClaims, 'linkId'> = { hotfixId: 'HF-2026-11-001', recipient: 'qa@example.com', decision: 'promote', build: 7, expiresAt: LATER };

function flip(text: string, index: number): string {
  const c = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + c + text.slice(index + 1);
}

describe('email link tokens', () => {
  const signer = createLinkSigner({ current: KEY, previous: [] });

  it('round-trip their claims, with a link id per link', () => {
    const a = signer.sign(claims);
    const b = signer.sign(claims);
    expect(a.token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a.linkId).not.toBe(b.linkId);
    expect(signer.verify(a.token, NOW)).toEqual({ ok: true, claims: { ...claims, linkId: a.linkId } });
  });

  it('keep the decision and recipient they were made for', () => {
    const { token } = signer.sign({ ...claims, decision: 'reject', recipient: 'other@example.com' });
    const check = signer.verify(token, NOW);
    expect(check.ok && check.claims).toMatchObject({ decision: 'reject', recipient: 'other@example.com' });
  });

  it('a tampered payload or signature is a bad signature', () => {
    const { token } = signer.sign(claims);
    const [v, payload = '', sig = ''] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), d: 'promote', b: 8 })).toString('base64url');
    expect(signer.verify(`${v}.${forged}.${sig}`, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.verify(`${v}.${flip(payload, 5)}.${sig}`, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.verify(`${v}.${payload}.${flip(sig, 3)}`, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.verify(`${v}.${payload}.`, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('a token from another key is a bad signature', () => {
    const { token } = createLinkSigner({ current: 'some-other-key', previous: [] }).sign(claims);
    expect(signer.verify(token, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('an expired token says so and still gives its claims', () => {
    const { token, linkId } = signer.sign(claims);
    expect(signer.verify(token, LATER)).toEqual({ ok: false, reason: 'expired', claims: { ...claims, linkId } });
    expect(signer.verify(token, new Date(LATER.getTime() - 1000)).ok).toBe(true);
  });

  it.each(['', 'abc', 'v1.abc', 'v2.abc.def', 'v1.a.b.c', `v1.${'a'.repeat(1100)}.b`])('%j is malformed', (token) => {
    expect(signer.verify(token, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('correctly signed nonsense is malformed, not trusted', () => {
    const sign = (payload: string) => `v1.${payload}.${createHmac('sha256', KEY).update(`link\n${payload}`).digest('base64url')}`;
    const notJson = Buffer.from('not json').toString('base64url');
    const wrongShape = Buffer.from(JSON.stringify({ h: 'HF-2026-11-001', d: 'deploy-everything' })).toString('base64url');
    expect(signer.verify(sign(notJson), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(signer.verify(sign(wrongShape), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rotation: a token signed with an old key verifies while that key is in previous', () => {
    const { token, linkId } = createLinkSigner({ current: OLD_KEY, previous: [] }).sign(claims);
    const rotated = createLinkSigner({ current: KEY, previous: [OLD_KEY] });
    expect(rotated.verify(token, NOW)).toEqual({ ok: true, claims: { ...claims, linkId } });
    expect(createLinkSigner({ current: KEY, previous: [] }).verify(token, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const fresh = rotated.sign(claims).token;
    expect(createLinkSigner({ current: OLD_KEY, previous: [] }).verify(fresh, NOW).ok).toBe(false);
  });
});

describe('form proofs', () => {
  const signer = createLinkSigner({ current: KEY, previous: [OLD_KEY] });
  const { token } = signer.sign(claims);
  const other = signer.sign(claims).token;

  it('prove the POST came from the page of that token', () => {
    const proof = signer.formProof(token);
    expect(signer.checkFormProof(token, proof)).toBe(true);
    expect(signer.checkFormProof(other, proof)).toBe(false);
    expect(signer.checkFormProof(token, '')).toBe(false);
    expect(signer.checkFormProof(token, flip(proof, 2))).toBe(false);
  });

  it('are not interchangeable with link signatures', () => {
    const sig = token.split('.')[2] ?? '';
    expect(signer.formProof(token)).not.toBe(sig);
    expect(signer.checkFormProof(token, sig)).toBe(false);
  });

  it('made with a previous key are still accepted', () => {
    const oldProof = createLinkSigner({ current: OLD_KEY, previous: [] }).formProof(token);
    expect(signer.checkFormProof(token, oldProof)).toBe(true);
    expect(createLinkSigner({ current: KEY, previous: [] }).checkFormProof(token, oldProof)).toBe(false);
  });
});

describe('callback body signatures', () => {
  const body = Buffer.from(JSON.stringify({ hotfixId: 'HF-2026-11-001', stage: 'build', buildNumber: 7, status: 'SUCCESS' }));
  const SECRET = 'callback-secret';

  it('are sha256=<hex HMAC of the raw body>', () => {
    expect(signBody(body, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(hmacHex(SECRET, body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verify with the right secret, also in upper-case hex', () => {
    const header = signBody(body, SECRET);
    expect(verifyBodySignature(body, header, [SECRET])).toBe(true);
    expect(verifyBodySignature(body, `sha256=${header.slice(7).toUpperCase()}`, [SECRET])).toBe(true);
  });

  it('fail with a wrong secret, a changed body, or a missing or malformed header', () => {
    const header = signBody(body, SECRET);
    expect(verifyBodySignature(body, signBody(body, 'wrong'), [SECRET])).toBe(false);
    expect(verifyBodySignature(Buffer.from(`${body.toString()} `), header, [SECRET])).toBe(false);
    for (const bad of [undefined, '', 'sha256=', 'sha256=zz', header.slice(7), `sha1=${header.slice(7)}`, `SHA256=${header.slice(7)}`, `sha256=${header.slice(7, 40)}`, ` ${header}`]) {
      expect(verifyBodySignature(body, bad, [SECRET]), String(bad)).toBe(false);
    }
    expect(verifyBodySignature(body, header, [])).toBe(false);
  });

  it('accept a previous secret during rotation', () => {
    expect(verifyBodySignature(body, signBody(body, 'old-secret'), ['new-secret', 'old-secret'])).toBe(true);
    expect(verifyBodySignature(body, signBody(body, 'older-secret'), ['new-secret', 'old-secret'])).toBe(false);
  });

  it('compare in constant time whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual(Buffer.from('x'), 'x')).toBe(true);
  });
});
