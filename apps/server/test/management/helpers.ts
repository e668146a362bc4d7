import assert from 'node:assert/strict';
import { managementAudience } from '@tessera/core';
import { ManagementClient } from 'auth0';
import { startServer, type TestServer } from '../helpers.ts';

/** The Auth0 domain the SDK is given; its requests are sent to the test server's real port. */
export const DOMAIN = 'localhost:3000';

export interface ManagementHarness {
  server: TestServer;
  tenantId: string;
  issuer: string;
  audience: string;
  /** The official `auth0` SDK, authenticated as the first-run management client (every scope). */
  management: ManagementClient;
  /** A Management API token of the first-run client (client credentials through `/oauth/token`). */
  adminToken: string;
  /** A client-credentials token of a new machine client granted exactly `scopes`. */
  tokenWith(scopes: string[]): Promise<string>;
  /** A raw request to `/api/v2<path>` with the admin token unless `token` says otherwise (null: none). */
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  /** A raw body string (malformed JSON and the like); sent as application/json unless headers say. */
  raw?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON bodies of the API
  body: any;
}

/**
 * The SDK speaks `https://<domain>`: this fetch sends its requests (token and API calls alike) to the
 * test server's plain-HTTP port instead, unchanged otherwise. Everything else the SDK does is its own.
 */
export function fetchTo(baseUrl: string): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const target = url.replace(`https://${DOMAIN}`, baseUrl);
    assert.notEqual(target, url, `the SDK called ${url}, outside the test domain`);
    return fetch(target, init);
  };
}

/** Boots a server and an SDK client for it. `env` adds environment variables. */
export async function startManagement(env: Record<string, string> = {}): Promise<ManagementHarness> {
  const server = await startServer({ env: { TESSERA_DOMAIN: DOMAIN, ...env } });
  try {
    const created = server.firstRun.created;
    assert.ok(created, 'the first run created the management client');
    const issuer = server.firstRun.issuer;
    const audience = managementAudience(issuer);
    const tenantId = server.firstRun.tenant.id;
    const clientToken = async (clientId: string, clientSecret: string) => {
      const response = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          audience,
        }),
      });
      const body = (await response.json()) as { access_token?: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      return body.access_token!;
    };
    const adminToken = await clientToken(created.clientId, created.clientSecret);
    const management = new ManagementClient({
      domain: DOMAIN,
      audience,
      clientId: created.clientId,
      clientSecret: created.clientSecret,
      fetch: fetchTo(server.url),
    });
    return {
      server,
      tenantId,
      issuer,
      audience,
      management,
      adminToken,
      async tokenWith(scopes) {
        const { client, clientSecret } = await server.storage.clients.create(tenantId, {
          name: `machine ${scopes.join(' ') || '(no scopes)'}`,
          appType: 'non_interactive',
          grantTypes: ['client_credentials'],
          grants: [{ audience, scopes }],
        });
        return clientToken(client.clientId, clientSecret);
      },
      async call(method, path, options = {}) {
        const token = options.token === undefined ? adminToken : options.token;
        const headers: Record<string, string> = {
          ...(options.body !== undefined || options.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...options.headers,
        };
        const response = await fetch(`${server.url}/api/v2${path}`, {
          method,
          headers,
          body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        });
        const text = await response.text();
        return {
          status: response.status,
          headers: response.headers,
          body: text === '' ? undefined : JSON.parse(text),
        };
      },
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Asserts Auth0's error body: exactly `{ statusCode, error, message, errorCode }` with these values. */
export function assertAuth0Error(
  response: ApiResponse,
  status: number,
  errorCode: string,
  message?: RegExp,
): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.deepEqual(Object.keys(response.body).sort(), ['error', 'errorCode', 'message', 'statusCode']);
  assert.equal(response.body.statusCode, status);
  assert.equal(response.body.errorCode, errorCode, JSON.stringify(response.body));
  assert.equal(typeof response.body.error, 'string');
  if (message) assert.match(response.body.message, message);
}
