import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import type * as oidc from 'openid-client';
import { Browser, loginWithCode, type OidcTestServer, startOidcSetup } from './helpers.ts';

const API = 'https://orders.example.com/';

type Method = 'header' | 'body' | 'query';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  challenge: string | null;
  cacheControl: string | null;
}

/**
 * RFC 6750 §2: `/userinfo` takes the access token from the Authorization header (§2.1), an
 * application/x-www-form-urlencoded POST body (§2.2) or the `access_token` query parameter (§2.3), as
 * Auth0 does (passport-auth0 sends it in the query), for opaque tokens (oidc-provider answers) and for
 * Auth0's JWT access tokens of an API (routes/jwt-userinfo.ts answers) alike. More than one method at
 * once is invalid_request (§2); every answer is `no-store`; a token that no longer works is refused
 * the same way whichever method carried it (§3.1), and a token sent in the query never reaches a log
 * line (docs/security.md).
 */
describe('/userinfo takes the access token by header, form body or query (RFC 6750 §2)', () => {
  let server: OidcTestServer;
  let config: oidc.Configuration;
  const lena = { username: 'lena@example.com', password: 'lena has a good password' };
  const used: string[] = [];
  before(async () => {
    ({ server, config } = await startOidcSetup({ users: [lena] }));
    await server.storage.resourceServers.create(server.tenantId, { identifier: API, name: 'Orders API' });
  });
  after(() => server.stop());

  /** One /userinfo call carrying `token` by each of `methods`. */
  async function userinfo(token: string, methods: Method[], extra: Record<string, string> = {}) {
    used.push(token);
    const url = new URL(`${server.issuer}userinfo`);
    const headers = new Headers();
    const init: RequestInit = { headers };
    if (methods.includes('header')) headers.set('authorization', `Bearer ${token}`);
    if (methods.includes('query')) url.searchParams.set('access_token', token);
    for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
    if (methods.includes('body')) {
      init.method = 'POST';
      headers.set('content-type', 'application/x-www-form-urlencoded');
      init.body = new URLSearchParams({ access_token: token });
    }
    const response = await fetch(url, init);
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      challenge: response.headers.get('www-authenticate'),
      cacheControl: response.headers.get('cache-control'),
    } satisfies Answer;
  }

  /** Logs in (online: the token dies with the session) and returns the browser and the access token. */
  async function signedIn(kind: 'opaque' | 'jwt') {
    const browser = new Browser(server.issuer);
    const tokens = await loginWithCode(server, config, browser, lena, {
      scope: 'openid profile email',
      ...(kind === 'jwt' ? { audience: API } : {}),
    });
    const isJwt = tokens.access_token.split('.').length === 3;
    assert.equal(isJwt, kind === 'jwt', `a ${kind} access token`);
    if (isJwt) assert.deepEqual(decodeJwt(tokens.access_token).aud, [API, `${server.issuer}userinfo`]);
    return { browser, token: tokens.access_token, sub: String(tokens.claims()!.sub) };
  }

  /** The same refusal whichever single method carries the token: RFC 6750 §3.1, with no-store. */
  async function assertRefusedAlike(token: string, message: string) {
    const [header, body, query] = await Promise.all([
      userinfo(token, ['header']),
      userinfo(token, ['body']),
      userinfo(token, ['query']),
    ]);
    assert.equal(header.status, 401, `${message}: ${JSON.stringify(header.body)}`);
    assert.equal(header.body.error, 'invalid_token');
    assert.match(header.challenge ?? '', /^Bearer realm="[^"]+", error="invalid_token"/);
    assert.deepEqual(body, header, `${message}: the form body is refused as the header is`);
    assert.deepEqual(query, header, `${message}: the query is refused as the header is`);
    assert.equal(header.cacheControl, 'no-store');
  }

  for (const kind of ['opaque', 'jwt'] as const) {
    describe(`${kind} access tokens`, () => {
      it('answers the same claims whichever method carries the token, never cacheable', async () => {
        const { token, sub } = await signedIn(kind);
        const answers = await Promise.all(
          (['header', 'body', 'query'] as const).map((method) => userinfo(token, [method])),
        );
        for (const [i, answer] of answers.entries()) {
          assert.equal(answer.status, 200, `method ${i}: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.sub, sub);
          assert.equal(answer.body.email, lena.username);
          assert.equal(answer.cacheControl, 'no-store');
          assert.deepEqual(answer.body, answers[0]!.body);
        }
      });

      it('refuses two methods at once with invalid_request (RFC 6750 §2), even for the same token', async () => {
        const { token } = await signedIn(kind);
        for (const methods of [
          ['header', 'query'],
          ['header', 'body'],
          ['body', 'query'],
          ['header', 'body', 'query'],
        ] as Method[][]) {
          const answer = await userinfo(token, methods);
          assert.equal(answer.status, 400, methods.join('+'));
          assert.equal(answer.body.error, 'invalid_request', methods.join('+'));
          assert.match(answer.challenge ?? '', /error="invalid_request"/);
          assert.equal(answer.cacheControl, 'no-store');
        }
      });

      it('refuses a repeated access_token parameter with invalid_request, in the query or the body', async () => {
        const { token } = await signedIn(kind);
        const query = await fetch(`${server.issuer}userinfo?access_token=${token}&access_token=${token}`);
        assert.equal(query.status, 400);
        assert.equal(((await query.json()) as { error: string }).error, 'invalid_request');
        const body = await fetch(`${server.issuer}userinfo`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `access_token=${token}&access_token=${token}`,
        });
        assert.equal(body.status, 400);
        assert.equal(((await body.json()) as { error: string }).error, 'invalid_request');
      });

      it('answers a CORS preflight with a token in its URL as a preflight, never with the claims', async () => {
        const { token } = await signedIn(kind);
        const response = await fetch(`${server.issuer}userinfo?access_token=${token}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://spa.example.com', 'access-control-request-method': 'GET' },
        });
        assert.equal(response.status, 204);
        assert.equal(await response.text(), '');
      });

      it('refuses a token whose session ended by query exactly as by header (401 + WWW-Authenticate)', async () => {
        const { browser, token } = await signedIn(kind);
        assert.equal((await userinfo(token, ['query'])).status, 200, 'the control: it works before');
        assert.equal((await browser.fetch(`${server.issuer}v2/logout`)).status, 302);
        await assertRefusedAlike(token, 'after logout');
      });

      it('refuses an expired token by query exactly as by header', async () => {
        const { token } = await signedIn(kind);
        await assertRefusedAlike(await expired(token), 'expired');
      });

      it('refuses a garbled token and a missing one by query as by header', async () => {
        const { token } = await signedIn(kind);
        await assertRefusedAlike(`${token.slice(0, -4)}AAAA`, 'garbled');
        const none = await userinfo('', ['query']);
        assert.equal(none.status, 401);
        assert.match(none.challenge ?? '', /^Bearer realm=/);
      });
    });
  }

  /**
   * The token as it is once its lifetime has passed: an opaque token's record aged in place in the
   * store (as expiry.test.ts does), a JWT re-signed by the tenant's key with `exp` in the past.
   */
  async function expired(token: string): Promise<string> {
    const past = Math.floor(Date.now() / 1000) - 120;
    if (token.split('.').length !== 3) {
      const key = `t:${server.tenantId}:oidc:AccessToken:id:${token}`;
      const raw = await server.kv.get(key);
      assert.ok(raw, 'the opaque token is stored');
      const payload = JSON.parse(raw) as { iat: number };
      await server.kv.set(
        key,
        JSON.stringify({ ...payload, iat: past - 60, exp: past }),
        await server.kv.ttl(key),
      );
      return token;
    }
    const key = (await server.storage.signingKeys.list(server.tenantId)).find(
      (k) => k.use === 'sig' && k.state === 'current',
    );
    assert.ok(key && key.use === 'sig');
    const claims = decodeJwt(token);
    const resigned = await new SignJWT({ ...claims, iat: past - 60, exp: past })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .sign(key.privateKey);
    return resigned;
  }

  it('refuses a form body beyond the body limit with 413, and keeps serving', async () => {
    const { token } = await signedIn('jwt');
    const response = await fetch(`${server.issuer}userinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${token}&padding=${'x'.repeat(1_100_000)}`,
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
    assert.equal((await userinfo(token, ['body'])).status, 200);
  });

  it('never writes a token from the query into a log line, even in a malformed query', async () => {
    const { token } = await signedIn('opaque');
    const jwt = (await signedIn('jwt')).token;
    for (const value of [token, jwt]) {
      const response = await fetch(
        `${server.issuer}userinfo?%E0%A4%A=1&access%5Ftoken=${value}&access_token+=x`,
      );
      assert.ok(response.status < 500, `answered ${response.status}`);
      await response.arrayBuffer();
      assert.equal((await userinfo(value, ['query'])).status, 200);
    }
    const lines = server.logs.map((line) => JSON.stringify(line));
    assert.ok(
      lines.some((line) => line.includes('/userinfo?access_token=[Redacted]')),
      'the request lines are logged, with the token redacted',
    );
    assert.ok(used.length > 10);
    for (const value of new Set([...used, token, jwt]).values()) {
      if (value.length < 16) continue;
      const leaked = lines.find((line) => line.includes(value) || line.includes(value.slice(-24)));
      assert.equal(leaked, undefined, 'no log line holds a token');
    }
  });
});
