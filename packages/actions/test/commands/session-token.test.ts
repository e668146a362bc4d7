import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { encodeSessionToken, validateSessionToken } from '../../src/commands/session-token.ts';

const SECRET = 'a-shared-secret-of-reasonable-length';
const KEY = new TextEncoder().encode(SECRET);
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const NOW_S = NOW / 1000;
const HOST = 'login.example.com';
const USER = 'auth0|abc';
const STATE = 'opaque-state-123';

const encodeContext = { hostname: HOST, userId: USER, ip: '203.0.113.7', now: NOW };

function continueWith(
  token: unknown,
  where: 'query' | 'body' = 'query',
  extra: Record<string, unknown> = {},
) {
  const params = { state: STATE, session_token: token };
  return {
    hostname: HOST,
    userId: USER,
    state: STATE,
    query: where === 'query' ? params : {},
    body: where === 'body' ? params : {},
    now: NOW,
    ...extra,
  };
}

/** A token as the external site would make it: with jose, bound to this login. */
async function siteToken(
  claims: Record<string, unknown> = {},
  secret = KEY,
  header = { alg: 'HS256', typ: 'JWT' },
) {
  const base = { state: STATE, answer: 42, iss: HOST, sub: USER, iat: NOW_S - 10, exp: NOW_S + 60 };
  return new SignJWT({ ...base, ...claims }).setProtectedHeader(header).sign(secret);
}

const invalid = (reason: string) => ({ message: `The session token is invalid: ${reason}` });

describe('encodeSessionToken', () => {
  it('makes an HS256 JWT that jose verifies, with the standard claims and the payload', async () => {
    const token = encodeSessionToken({ secret: SECRET, payload: { email: 'a@example.com' } }, encodeContext);
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, KEY, { algorithms: ['HS256'], currentDate: new Date(NOW) });
    assert.deepEqual(payload, {
      iat: NOW_S,
      exp: NOW_S + 900,
      iss: HOST,
      sub: USER,
      ip: '203.0.113.7',
      email: 'a@example.com',
    });
  });

  it('uses expiresInSeconds', async () => {
    const token = encodeSessionToken({ secret: SECRET, payload: {}, expiresInSeconds: 60 }, encodeContext);
    const { payload } = await jwtVerify(token, KEY, { currentDate: new Date(NOW) });
    assert.equal(payload.exp, NOW_S + 60);
  });

  it('does not let the payload override iss, sub, iat, exp or ip', async () => {
    const token = encodeSessionToken(
      { secret: SECRET, payload: { iss: 'evil', sub: 'someone', iat: 1, exp: 9e9, ip: '0.0.0.0', x: 1 } },
      encodeContext,
    );
    const { payload } = await jwtVerify(token, KEY, { currentDate: new Date(NOW) });
    assert.deepEqual(payload, {
      iat: NOW_S,
      exp: NOW_S + 900,
      iss: HOST,
      sub: USER,
      ip: '203.0.113.7',
      x: 1,
    });
  });

  it('refuses bad options', () => {
    const m = 'api.redirect.encodeToken';
    assert.throws(() => encodeSessionToken('s', encodeContext), {
      message: `${m}: options must be an object (got a string)`,
    });
    assert.throws(() => encodeSessionToken({ payload: {} }, encodeContext), {
      message: `${m}: options.secret must be a non-empty string (got undefined)`,
    });
    assert.throws(() => encodeSessionToken({ secret: '', payload: {} }, encodeContext), {
      message: `${m}: options.secret must be a non-empty string (got an empty string)`,
    });
    assert.throws(() => encodeSessionToken({ secret: SECRET }, encodeContext), {
      message: `${m}: options.payload must be an object (got undefined)`,
    });
    assert.throws(() => encodeSessionToken({ secret: SECRET, payload: [] }, encodeContext), {
      message: `${m}: options.payload must be an object (got an array)`,
    });
    for (const bad of [0, -1, 1.5, '60']) {
      assert.throws(
        () => encodeSessionToken({ secret: SECRET, payload: {}, expiresInSeconds: bad }, encodeContext),
        {
          message: `${m}: options.expiresInSeconds must be a positive integer (got ${typeof bad === 'string' ? 'a string' : bad})`,
        },
      );
    }
  });

  it('refuses to make a token over 8 KB', () => {
    assert.throws(
      () => encodeSessionToken({ secret: SECRET, payload: { big: 'x'.repeat(9000) } }, encodeContext),
      {
        message: /^api\.redirect\.encodeToken: the token would be \d+ bytes; the limit is 8192 bytes$/,
      },
    );
  });
});

describe('validateSessionToken', () => {
  it('round-trips a token made by encodeSessionToken', () => {
    const token = encodeSessionToken({ secret: SECRET, payload: { state: STATE, step: 2 } }, encodeContext);
    const claims = validateSessionToken({ secret: SECRET }, continueWith(token));
    assert.deepEqual(claims, {
      iat: NOW_S,
      exp: NOW_S + 900,
      iss: HOST,
      sub: USER,
      ip: '203.0.113.7',
      state: STATE,
      step: 2,
    });
  });

  it('accepts a token made with jose SignJWT, from the query or the POST body', async () => {
    const token = await siteToken();
    const expected = { state: STATE, answer: 42, iss: HOST, sub: USER, iat: NOW_S - 10, exp: NOW_S + 60 };
    assert.deepEqual(validateSessionToken({ secret: SECRET }, continueWith(token)), expected);
    assert.deepEqual(validateSessionToken({ secret: SECRET }, continueWith(token, 'body')), expected);
  });

  it('accepts a token without typ, and reads a custom parameter name, query before body', async () => {
    const good = await siteToken({}, KEY, { alg: 'HS256' } as { alg: string; typ: string });
    const context = {
      ...continueWith(undefined),
      query: { state: STATE, my_token: good },
      body: { my_token: 'garbage' },
    };
    assert.equal(
      validateSessionToken({ secret: SECRET, tokenParameterName: 'my_token' }, context).answer,
      42,
    );
  });

  it('refuses a missing token, naming the parameter', () => {
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, { ...continueWith(undefined), query: {}, body: {} }),
      invalid('there is no parameter called "session_token" in the query string or the POST body.'),
    );
  });

  it('does not find parameters on the prototype', () => {
    assert.throws(
      () => validateSessionToken({ secret: SECRET, tokenParameterName: 'toString' }, continueWith('x')),
      invalid('there is no parameter called "toString" in the query string or the POST body.'),
    );
  });

  it('refuses a repeated (array) parameter', () => {
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(['a', 'b'])),
      invalid('the token parameter must be a single string.'),
    );
  });

  it('refuses an oversized token before parsing it', () => {
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith('a'.repeat(9000))),
      invalid('the token is 9000 bytes; the limit is 8192 bytes.'),
    );
  });

  it('refuses malformed tokens', () => {
    const malformed = invalid(
      'Malformed token: expected three base64url segments (header.payload.signature).',
    );
    for (const token of [
      '',
      'abc',
      'a.b',
      'a.b.c.d',
      '.e30.c2ln',
      'eyJ!.e30.sig',
      'bm90IGpzb24.e30.c2ln',
      'WzFd.e30.c2ln',
    ]) {
      assert.throws(() => validateSessionToken({ secret: SECRET }, continueWith(token)), malformed, token);
    }
    // A well-formed header without alg is an algorithm problem, and an empty signature a signature one.
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith('e30.e30.')),
      invalid('Unexpected algorithm undefined; only HS256 is accepted.'),
    );
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(`${header}.e30.`)),
      invalid('Failed signature validation'),
    );
  });

  it('refuses alg none (jose UnsecuredJWT)', () => {
    const token = new UnsecuredJWT({ state: STATE })
      .setIssuer(HOST)
      .setSubject(USER)
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .encode();
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(token)),
      invalid('Unexpected algorithm "none"; only HS256 is accepted.'),
    );
  });

  it('refuses an RS256 token (jose-signed with an RSA key)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT({ state: STATE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(HOST)
      .setSubject(USER)
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .sign(privateKey);
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(token)),
      invalid('Unexpected algorithm "RS256"; only HS256 is accepted.'),
    );
  });

  it('refuses a crit header and a typ other than JWT', async () => {
    const crit = await new SignJWT({ state: STATE })
      .setProtectedHeader({ alg: 'HS256', crit: ['b64'], b64: true })
      .sign(KEY);
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(crit)),
      invalid('Unsupported "crit" header.'),
    );
    const typ = await siteToken({}, KEY, { alg: 'HS256', typ: 'at+jwt' });
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(typ)),
      invalid('Unexpected token payload type'),
    );
  });

  it('refuses a token signed with another secret, or tampered with', async () => {
    const wrong = await siteToken({}, new TextEncoder().encode('another-secret'));
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(wrong)),
      invalid('Failed signature validation'),
    );
    const good = await siteToken();
    const [h, , s] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ state: STATE, iss: HOST, sub: 'auth0|admin', iat: NOW_S, exp: NOW_S + 60 })).toString('base64url')}.${s}`;
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(forged)),
      invalid('Failed signature validation'),
    );
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(`${good.slice(0, -2)}AA`)),
      invalid('Failed signature validation'),
    );
  });

  it('refuses an expired token', async () => {
    const token = await new SignJWT({ state: STATE })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(HOST)
      .setSubject(USER)
      .setIssuedAt(NOW_S - 120)
      .setExpirationTime(NOW_S)
      .sign(KEY);
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(token)),
      invalid('Token has expired.'),
    );
  });

  it('refuses a token used before its nbf', async () => {
    const token = await siteToken({ nbf: NOW_S + 30 });
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(token)),
      invalid('Token is not valid yet (nbf).'),
    );
  });

  it('refuses a token missing exp, iat, iss or sub', async () => {
    const noExp = await new SignJWT({ state: STATE })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(HOST)
      .setSubject(USER)
      .setIssuedAt(NOW_S)
      .sign(KEY);
    const noIat = await new SignJWT({ state: STATE })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(HOST)
      .setSubject(USER)
      .setExpirationTime(NOW_S + 60)
      .sign(KEY);
    const stringExp = await siteToken({ exp: String(NOW_S + 60) });
    for (const token of [noExp, noIat, stringExp]) {
      assert.throws(
        () => validateSessionToken({ secret: SECRET }, continueWith(token)),
        invalid('Missing or invalid standard claims'),
      );
    }
  });

  it('refuses a token from another host, for another user, or for another transaction', async () => {
    assert.throws(
      () =>
        validateSessionToken(
          { secret: SECRET },
          continueWith(
            encodeSessionToken(
              { secret: SECRET, payload: { state: STATE } },
              { ...encodeContext, hostname: 'other.example.com' },
            ),
          ),
        ),
      invalid('The iss claim does not match the hostname.'),
    );
    const otherUser = await siteToken({ sub: 'auth0|other' });
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(otherUser)),
      invalid('The sub claim does not match the user_id.'),
    );
    const otherState = await siteToken({ state: 'another-transaction' });
    const mismatch = invalid('State in the token does not match the /continue state.');
    assert.throws(() => validateSessionToken({ secret: SECRET }, continueWith(otherState)), mismatch);
    const noState = await siteToken({ state: undefined });
    assert.throws(() => validateSessionToken({ secret: SECRET }, continueWith(noState)), mismatch);
    const good = await siteToken();
    assert.throws(
      () => validateSessionToken({ secret: SECRET }, continueWith(good, 'query', { state: undefined })),
      mismatch,
    );
  });

  it('refuses bad options', () => {
    const m = 'api.redirect.validateToken';
    assert.throws(() => validateSessionToken(undefined, continueWith('x')), {
      message: `${m}: options must be an object (got undefined)`,
    });
    assert.throws(() => validateSessionToken({}, continueWith('x')), {
      message: `${m}: options.secret must be a non-empty string (got undefined)`,
    });
    assert.throws(() => validateSessionToken({ secret: SECRET, tokenParameterName: '' }, continueWith('x')), {
      message: `${m}: options.tokenParameterName must be a non-empty string (got an empty string)`,
    });
  });
});
