import { describe, expect, it } from 'vitest';
import { slackSignatureHeaders, verifySlackSignature } from '../../../src/http/slack-signature.js';

// Slack's documented example: signing secret, timestamp, body and the signature it gives.
const DOC = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const at = (seconds: number) => new Date(seconds * 1000);

describe('Slack request signatures (v0)', () => {
  it('accepts Slack’s documented example, and what the sandbox signs', () => {
    expect(verifySlackSignature([DOC.secret], Buffer.from(DOC.body), DOC.timestamp, DOC.signature, at(Number(DOC.timestamp) + 10))).toEqual({ ok: true });
    const headers = slackSignatureHeaders('s'.repeat(20), 'payload=%7B%7D', 1_700_000_000);
    expect(verifySlackSignature(['other'.repeat(4), 's'.repeat(20)], Buffer.from('payload=%7B%7D'), headers['X-Slack-Request-Timestamp'], headers['X-Slack-Signature'], at(1_700_000_100))).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, a missing or malformed header, and a timestamp five minutes off', () => {
    const ok = (body: string, ts: string | undefined, sig: string | undefined, now: number, secret = DOC.secret) => verifySlackSignature([secret], Buffer.from(body), ts, sig, at(now)).ok;
    const t = Number(DOC.timestamp);
    expect(ok(`${DOC.body}&x=1`, DOC.timestamp, DOC.signature, t)).toBe(false);
    expect(ok(DOC.body, DOC.timestamp, DOC.signature, t, 'another-secret-0000')).toBe(false);
    expect(ok(DOC.body, undefined, DOC.signature, t)).toBe(false);
    expect(ok(DOC.body, 'soon', DOC.signature, t)).toBe(false);
    expect(ok(DOC.body, DOC.timestamp, undefined, t)).toBe(false);
    expect(ok(DOC.body, DOC.timestamp, DOC.signature.replace('v0=', 'v1='), t)).toBe(false);
    expect(ok(DOC.body, DOC.timestamp, DOC.signature, t + 301)).toBe(false);
    expect(ok(DOC.body, DOC.timestamp, DOC.signature, t - 301)).toBe(false);
    expect(ok(DOC.body, DOC.timestamp, DOC.signature, t + 299)).toBe(true);
  });
});
