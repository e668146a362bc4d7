import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateKeyPair, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { defaultPostLoginEvent, type PostLoginEvent } from '../../src/index.ts';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { ACTION, assertRefused, assertThrew, messages, recorded, runBody, runCode } from './support.ts';

const fixture = useRuntime({ workers: 1 });

const SECRET = 'a-long-shared-secret-for-the-consent-site-0123456789';
const secrets = { SESSION_SECRET: SECRET };
const sample = defaultPostLoginEvent();
const HOSTNAME = sample.request.hostname;
const USER_ID = sample.user.user_id;
const STATE = 'st_continue_9f2c';

describe('api.redirect.sendUserTo', () => {
  test('records the URL with the query merged in, and pauses before later actions', async () => {
    const result = await fixture.run([
      action(
        handler(
          `api.redirect.sendUserTo('https://consent.example.com/ask?lang=fr', { query: { lang: 'en', user: event.user.user_id } });`,
        ),
        { name: ACTION },
      ),
      action(handler(`api.idToken.setCustomClaim('https://example.com/late', 1);`), { name: 'later' }),
    ]);
    const [command] = recorded({
      type: 'redirect.sendUserTo',
      url: `https://consent.example.com/ask?lang=en&user=${encodeURIComponent(USER_ID)}`,
    });
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(result.outcome === 'completed' && result.pause, command);
    assert.deepEqual(result.commands, [command]);
    assert.deepEqual(
      result.actions.map((a) => a.name),
      [ACTION],
    );
  });

  test('http: is allowed on loopback for local development', async () => {
    const result = await runBody(fixture, `api.redirect.sendUserTo('http://localhost:3000/consent');`);
    assert.deepEqual(
      result.commands,
      recorded({ type: 'redirect.sendUserTo', url: 'http://localhost:3000/consent' }),
    );
  });

  test('http: to any host when the tenant allows it (allowHttpRedirects); other schemes still fail', async () => {
    const result = await runBody(fixture, `api.redirect.sendUserTo('http://consent.example.com/ask');`, {
      allowHttpRedirects: true,
    });
    assert.deepEqual(
      result.commands,
      recorded({ type: 'redirect.sendUserTo', url: 'http://consent.example.com/ask' }),
    );
    assertThrew(
      await runBody(fixture, `api.redirect.sendUserTo('javascript:alert(1)');`, { allowHttpRedirects: true }),
      'api.redirect.sendUserTo: url must be an https: URL (got a "javascript:" URL)',
    );
  });

  test('javascript:, data:, relative and non-local http: URLs fail the action (docs/security.md#21)', async () => {
    await assertRefused(
      fixture,
      `api.redirect.sendUserTo('javascript:alert(document.cookie)')`,
      'api.redirect.sendUserTo: url must be an https: URL (got a "javascript:" URL)',
    );
    assertThrew(
      await runBody(fixture, `api.redirect.sendUserTo('data:text/html,<script>alert(1)</script>');`),
      'api.redirect.sendUserTo: url must be an https: URL (got a "data:" URL)',
    );
    assertThrew(
      await runBody(fixture, `api.redirect.sendUserTo('/consent');`),
      'api.redirect.sendUserTo: url must be an absolute URL (got "/consent")',
    );
    assertThrew(
      await runBody(fixture, `api.redirect.sendUserTo('http://consent.example.com/');`),
      'api.redirect.sendUserTo: url must use https: (http: is allowed only for localhost, 127.0.0.1 and [::1])',
    );
  });

  test('a state query parameter fails the action: Tessera adds the transaction state itself', async () => {
    await assertRefused(
      fixture,
      `api.redirect.sendUserTo('https://consent.example.com/', { query: { state: 'mine' } })`,
      'api.redirect.sendUserTo: the "state" query parameter is reserved; Tessera adds the transaction\'s state',
    );
  });

  test('a refresh-token exchange cannot redirect: the call fails the action', async () => {
    await assertRefused(
      fixture,
      `api.redirect.sendUserTo('https://consent.example.com/')`,
      'api.redirect.sendUserTo: this transaction cannot redirect the user (protocol "oauth2-refresh-token" or prompt=none); check api.redirect.canRedirect() first',
      {
        patch: (event) => {
          event.transaction.protocol = 'oauth2-refresh-token';
        },
      },
    );
  });
});

describe('a refused page request fails the run marked interactionRefused', () => {
  test('sendUserTo with prompt=none; other failures (a bad URL, a plain throw with prompt=none) are not marked', async () => {
    const promptNone = (event: PostLoginEvent) => {
      event.transaction.prompt = ['none'];
    };
    const refused = await runBody(fixture, `api.redirect.sendUserTo('https://consent.example.com/');`, {
      patch: promptNone,
    });
    assert.equal(refused.outcome === 'failed' && refused.interactionRefused, true);
    const others = [
      await runBody(fixture, `api.redirect.sendUserTo('javascript:alert(1)');`),
      await runBody(fixture, `throw new Error('no');`, { patch: promptNone }),
    ];
    for (const other of others) {
      assert.equal(other.outcome, 'failed');
      assert.equal(other.outcome === 'failed' && other.interactionRefused, undefined);
    }
  });
});

describe('api.redirect.canRedirect', () => {
  const canRedirect = async (patch?: (event: PostLoginEvent) => void) =>
    messages(await runBody(fixture, `console.log(api.redirect.canRedirect());`, { patch }));

  test('is true for an authorization code login (oidc-basic-profile)', async () => {
    assert.deepEqual(await canRedirect(undefined), ['true']);
  });

  test('is false for a refresh-token exchange', async () => {
    assert.deepEqual(
      await canRedirect((event) => {
        event.transaction.protocol = 'oauth2-refresh-token';
      }),
      ['false'],
    );
  });

  test('is false for prompt=none', async () => {
    assert.deepEqual(
      await canRedirect((event) => {
        event.transaction.prompt = ['none'];
      }),
      ['false'],
    );
  });
});

describe('api.redirect.encodeToken', () => {
  /** Runs encodeToken with `options` and returns the token it put in the redirect URL. */
  async function encoded(options: string): Promise<string> {
    const result = await runBody(
      fixture,
      `const token = api.redirect.encodeToken(${options});
       api.redirect.sendUserTo('https://consent.example.com/ask', { query: { session_token: token } });`,
      { secrets },
    );
    assert.equal(result.outcome, 'completed');
    const [command] = result.commands;
    assert.equal(command?.type, 'redirect.sendUserTo');
    const token = new URL(command.type === 'redirect.sendUserTo' ? command.url : '').searchParams.get(
      'session_token',
    );
    assert.ok(token);
    return token;
  }

  test('returns an HS256 JWT bound to the request hostname, the user and the IP, with the payload', async () => {
    const token = await encoded(
      `{ secret: event.secrets.SESSION_SECRET, payload: { favorite_color: 'blue', nested: { n: 1 } } }`,
    );
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      issuer: HOSTNAME,
      subject: USER_ID,
    });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
    assert.equal(payload.ip, sample.request.ip);
    assert.equal(payload.favorite_color, 'blue');
    assert.deepEqual(payload.nested, { n: 1 });
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 900);
    assert.ok(Math.abs((payload.iat ?? 0) - Date.now() / 1000) < 10);
  });

  test('expiresInSeconds sets the lifetime, and the payload cannot override iss, sub or ip', async () => {
    const token = await encoded(
      `{ secret: event.secrets.SESSION_SECRET, expiresInSeconds: 60, payload: { iss: 'evil.example.com', sub: 'auth0|someone-else', ip: '10.0.0.1' } }`,
    );
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET));
    assert.equal(payload.iss, HOSTNAME);
    assert.equal(payload.sub, USER_ID);
    assert.equal(payload.ip, sample.request.ip);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 60);
  });

  test('a missing secret fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.redirect.encodeToken({ secret: '', payload: {} })`,
      'api.redirect.encodeToken: options.secret must be a non-empty string (got an empty string)',
    );
  });

  test('a payload that is not an object fails the action', async () => {
    await assertRefused(
      fixture,
      `api.redirect.encodeToken({ secret: 's3cr3t-value', payload: 'x' })`,
      'api.redirect.encodeToken: options.payload must be an object (got a string)',
    );
  });
});

describe('api.redirect.validateToken', () => {
  const key = new TextEncoder().encode(SECRET);
  const now = () => Math.floor(Date.now() / 1000);
  /** A token as the consent site would sign it with jose; `claims` override the valid defaults. */
  const signed = (
    claims: Record<string, unknown> = {},
    { secret = key, iat = now(), exp = now() + 300 } = {},
  ) =>
    new SignJWT({ state: STATE, favorite_color: 'blue', iss: HOSTNAME, sub: USER_ID, ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(secret);

  const CONTINUE = `exports.onExecutePostLogin = async (event, api) => {};
exports.onContinuePostLogin = async (event, api) => {
  const payload = api.redirect.validateToken({ secret: event.secrets.SESSION_SECRET });
  console.log(JSON.stringify(payload));
};`;

  /** Resumes the action at /continue with `token` in the query string. */
  const resume = (token: string, code = CONTINUE) =>
    runCode(fixture, code, {
      secrets,
      resume: { index: 0, state: STATE },
      patch: (event) => {
        event.request.query.session_token = token;
      },
    });

  test('on resume returns the payload of a token signed with the shared secret', async () => {
    const token = await signed();
    const result = await resume(token);
    assert.equal(result.outcome, 'completed');
    const [logged] = messages(result);
    const payload = JSON.parse(logged ?? 'null');
    assert.equal(payload.favorite_color, 'blue');
    assert.equal(payload.state, STATE);
    assert.equal(payload.iss, HOSTNAME);
    assert.equal(payload.sub, USER_ID);
  });

  test('accepts a token Tessera encoded itself (round trip through the sandbox)', async () => {
    const first = await runBody(
      fixture,
      `console.log(api.redirect.encodeToken({ secret: event.secrets.SESSION_SECRET, payload: { state: '${STATE}', step: 2 } }));`,
      { secrets },
    );
    const [token] = messages(first);
    const result = await resume(token ?? '');
    assert.equal(JSON.parse(messages(result)[0] ?? 'null').step, 2);
  });

  test('reads a custom parameter from the POST body', async () => {
    const token = await signed();
    const result = await runCode(
      fixture,
      `exports.onExecutePostLogin = async (event, api) => {};
exports.onContinuePostLogin = async (event, api) => {
  console.log(api.redirect.validateToken({ secret: event.secrets.SESSION_SECRET, tokenParameterName: 'consent' }).favorite_color);
};`,
      {
        secrets,
        resume: { index: 0, state: STATE },
        patch: (event) => {
          event.request.method = 'POST';
          event.request.body = { consent: token };
        },
      },
    );
    assert.deepEqual(messages(result), ['blue']);
  });

  const invalid = 'The session token is invalid: ';
  const rejects = async (token: string, reason: string) =>
    assertThrew(await resume(token), `${invalid}${reason}`, 3);

  test('rejects alg none', async () => {
    const token = new UnsecuredJWT({ state: STATE, iss: HOSTNAME, sub: USER_ID })
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    await rejects(token, 'Unexpected algorithm "none"; only HS256 is accepted.');
  });

  test('rejects an RS256 header', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ state: STATE, iss: HOSTNAME, sub: USER_ID })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await rejects(token, 'Unexpected algorithm "RS256"; only HS256 is accepted.');
  });

  test('rejects a token signed with another secret', async () => {
    await rejects(
      await signed({}, { secret: new TextEncoder().encode('not-the-shared-secret') }),
      'Failed signature validation',
    );
  });

  test('rejects an expired token', async () => {
    await rejects(await signed({}, { iat: now() - 600, exp: now() - 60 }), 'Token has expired.');
  });

  test('rejects a token for another hostname', async () => {
    await rejects(await signed({ iss: 'evil.example.com' }), 'The iss claim does not match the hostname.');
  });

  test('rejects a token for another user', async () => {
    await rejects(await signed({ sub: 'auth0|someone-else' }), 'The sub claim does not match the user_id.');
  });

  test('rejects a token for another transaction state', async () => {
    await rejects(
      await signed({ state: 'st_other' }),
      'State in the token does not match the /continue state.',
    );
  });

  test('rejects an oversized token before parsing it', async () => {
    const token = await signed({ padding: 'x'.repeat(9000) });
    await rejects(token, `the token is ${token.length} bytes; the limit is 8192 bytes.`);
  });

  test('rejects a missing token, and the tenant can catch the error', async () => {
    const result = await runCode(
      fixture,
      `exports.onExecutePostLogin = async (event, api) => {};
exports.onContinuePostLogin = async (event, api) => {
  try { api.redirect.validateToken({ secret: event.secrets.SESSION_SECRET }); }
  catch (error) { console.log(error.message); api.access.deny('consent required'); }
};`,
      { secrets, resume: { index: 0, state: STATE } },
    );
    assert.equal(result.outcome, 'denied');
    assert.deepEqual(messages(result), [
      `${invalid}there is no parameter called "session_token" in the query string or the POST body.`,
    ]);
  });

  test('a missing secret fails the action', async () => {
    await assertRefused(
      fixture,
      `api.redirect.validateToken({})`,
      'api.redirect.validateToken: options.secret must be a non-empty string (got undefined)',
    );
  });
});
