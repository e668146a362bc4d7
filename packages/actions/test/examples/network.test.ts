import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertCompleted, messages } from '../api/support.ts';
import { startServer, type TestServer } from '../egress/helpers.ts';
import { useRuntime } from '../runtime/helpers.ts';
import { commandsOf, runScript } from './load.ts';

const fixture = useRuntime({ workers: 1 });
const API_KEY = 'sk_live_billing_8d1e6f3b2a';
const CLIENT_SECRET = 'partner-client-secret-5b9e';

/** A billing API and a partner API (token endpoint + loyalty lookup) on 127.0.0.1. */
let server: TestServer;
before(async () => {
  server = await startServer((req, res, body) => {
    const send = (status: number, value: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(value));
    };
    if (req.url?.startsWith('/customers/')) {
      if (req.headers.authorization !== `Bearer ${API_KEY}`) return send(401, { error: 'unauthorized' });
      return send(200, { id: decodeURIComponent(req.url.slice('/customers/'.length)), tier: 'gold' });
    }
    if (req.url === '/oauth/token' && req.method === 'POST') {
      const grant = JSON.parse(body.toString());
      if (grant.client_secret !== CLIENT_SECRET) return send(401, { error: 'invalid_client' });
      return send(200, { access_token: 'm2m_token_1', token_type: 'Bearer', expires_in: 86400 });
    }
    if (req.url?.startsWith('/loyalty/')) {
      if (req.headers.authorization !== 'Bearer m2m_token_1') return send(401, { error: 'unauthorized' });
      return send(200, { points: 1250 });
    }
    send(404, { error: 'not_found' });
  });
});
after(() => server.close());

const local = { egressAllowHosts: ['127.0.0.1'] };

describe('enrich-from-api.js', () => {
  const name = 'enrich-from-api';
  test('calls the API with the secret API key and puts the tier in the ID token', async () => {
    const result = await runScript(fixture, name, {
      ...local,
      secrets: { BILLING_API: server.origin, API_KEY },
    });
    assertCompleted(
      result,
      commandsOf(name)({
        type: 'idToken.setCustomClaim',
        key: 'https://my-app.example.com/tier',
        value: 'gold',
      }),
    );
    const request = server.requests.at(-1);
    assert.equal(request?.url, `/customers/${encodeURIComponent('auth0|64f1c2a9e4b0a1b2c3d4e5f6')}`);
    assert.equal(request?.headers.authorization, `Bearer ${API_KEY}`);
    assert.equal(request?.headers.accept, 'application/json');
  });

  test('adds no claim when the API refuses, and the log does not leak the key', async () => {
    const result = await runScript(fixture, name, {
      ...local,
      secrets: { BILLING_API: server.origin, API_KEY: 'sk_live_wrong_key_000' },
    });
    assertCompleted(result, []);
    assert.deepEqual(messages(result), ['billing API answered 401; no tier claim']);
  });
});

describe('cache-api-token.js', () => {
  const name = 'cache-api-token';
  test('asks the token endpoint once, then reuses the cached token in the next login', async () => {
    const run = () =>
      runScript(fixture, name, {
        ...local,
        tenantId: 'tenant-partner',
        secrets: { PARTNER_API: server.origin, CLIENT_ID: 'partner-client', CLIENT_SECRET },
      });
    const expected = commandsOf(name)({
      type: 'idToken.setCustomClaim',
      key: 'https://my-app.example.com/loyalty_points',
      value: 1250,
    });
    const tokenRequests = () => server.requests.filter((r) => r.url === '/oauth/token').length;

    assertCompleted(await run(), expected);
    assert.equal(tokenRequests(), 1);
    assertCompleted(await run(), expected);
    assert.equal(tokenRequests(), 1);
    const grant = JSON.parse(server.requests.find((r) => r.url === '/oauth/token')?.body.toString() ?? '{}');
    assert.deepEqual(grant, {
      grant_type: 'client_credentials',
      client_id: 'partner-client',
      client_secret: CLIENT_SECRET,
      audience: 'https://partner.example.com/api',
    });
  });
});
