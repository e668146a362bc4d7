import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPostLoginEvent, type PostLoginEventInput } from '../../src/event/index.ts';
import { fullInput } from './fixtures.ts';

/** Every object and array of the value, with its path. */
function* containers(value: unknown, path = 'event'): Generator<[string, object]> {
  if (value === null || typeof value !== 'object') return;
  yield [path, value];
  for (const [key, inner] of Object.entries(value)) yield* containers(inner, `${path}.${key}`);
}

const minimalInput = (): PostLoginEventInput => ({
  tenantId: 't1',
  user: { user_id: 'auth0|1', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-02T00:00:00Z' },
  client: { clientId: 'c1', name: 'App' },
  connection: { id: 'con_1' },
  request: { ip: '192.0.2.1', hostname: 'id.example.test', method: 'GET' },
  transaction: { id: 'tx1', protocol: 'oidc-basic-profile' },
});

describe('buildPostLoginEvent', () => {
  it('maps a realistic login to exactly Auth0’s event shape', () => {
    assert.deepEqual(buildPostLoginEvent(fullInput()), {
      user: {
        user_id: 'auth0|5f7c8ec7c33c6c004bbafe82',
        username: 'jdoe',
        email: 'j.doe@acme.test',
        email_verified: true,
        phone_number: '+14155550100',
        phone_verified: true,
        name: 'Jane Doe',
        given_name: 'Jane',
        family_name: 'Doe',
        nickname: 'jdoe',
        picture: 'https://cdn.acme.test/jdoe.png',
        user_metadata: { theme: 'dark', nested: { list: [1, 'two', null, { deep: true }] } },
        app_metadata: { plan: 'enterprise', seats: 40 },
        created_at: '2023-05-01T10:00:00.000Z',
        updated_at: '2025-01-10T12:00:00.000Z',
        last_password_reset: '2024-12-24T08:15:00.000Z',
        identities: [
          {
            connection: 'Username-Password-Authentication',
            provider: 'auth0',
            user_id: '5f7c8ec7c33c6c004bbafe82',
            isSocial: false,
          },
          {
            connection: 'google-oauth2',
            provider: 'google-oauth2',
            user_id: '109876543210',
            isSocial: true,
            profileData: { email: 'jane@gmail.test' },
          },
        ],
        multifactor: ['guardian'],
        enrolledFactors: [{ type: 'otp' }, { type: 'phone', options: { preferredMethod: 'sms' } }],
      },
      client: { client_id: 'cli_123', name: 'Acme Portal', metadata: { tier: 'gold' } },
      connection: {
        id: 'con_db',
        name: 'Username-Password-Authentication',
        strategy: 'auth0',
        metadata: { region: 'eu' },
      },
      organization: { id: 'org_42', name: 'acme', display_name: 'Acme Inc.', metadata: { sso: 'on' } },
      resource_server: { identifier: 'https://api.acme.test' },
      tenant: { id: 'acme' },
      stats: { logins_count: 100 },
      authorization: { roles: ['admin', 'billing'] },
      secrets: {},
      configuration: { FEATURE: 'on' },
      request: {
        ip: '198.51.100.23',
        hostname: 'login.acme.test',
        method: 'POST',
        language: 'fr',
        user_agent: 'curl/8.5.0',
        query: { client_id: 'cli_123', audience: 'https://api.acme.test' },
        body: { grant_type: 'refresh_token', scope: 'openid offline_access' },
        geoip: { countryCode: 'FR', cityName: 'Lyon', latitude: 45.76, longitude: 4.84 },
      },
      transaction: {
        id: 'txn_abc',
        locale: 'fr',
        protocol: 'oauth2-refresh-token',
        requested_scopes: ['openid', 'profile', 'offline_access'],
        acr_values: ['urn:acme:loa:2'],
        ui_locales: ['fr-FR', 'en'],
        redirect_uri: 'https://portal.acme.test/cb',
        prompt: ['login', 'consent'],
        login_hint: 'j.doe@acme.test',
        response_mode: 'form_post',
        response_type: ['code', 'id_token'],
        state: 'st_1',
        metadata: { step: 2, trusted: true, source: 'form' },
      },
      authentication: {
        methods: [
          { name: 'federated', timestamp: '2025-01-15T09:00:00.000Z' },
          { name: 'mfa', timestamp: '2025-01-15T09:01:00.000Z' },
        ],
      },
      session: {
        id: 'sess_1',
        user_id: 'auth0|5f7c8ec7c33c6c004bbafe82',
        created_at: '2025-01-15T09:00:00.000Z',
        updated_at: '2025-01-15T09:01:00.000Z',
        authenticated_at: '2025-01-15T09:01:00.000Z',
        last_interacted_at: '2025-01-15T09:01:00.000Z',
        idle_expires_at: '2025-01-18T09:01:00.000Z',
        expires_at: '2025-02-14T09:00:00.000Z',
        clients: [{ client_id: 'cli_123' }, { client_id: 'cli_456' }],
        cookie: { mode: 'non-persistent' },
        metadata: { device: 'kiosk' },
        device: {
          initial_ip: '198.51.100.1',
          initial_user_agent: 'UA-1',
          last_ip: '198.51.100.23',
          last_user_agent: 'curl/8.5.0',
        },
      },
      refresh_token: {
        id: 'rt_1',
        session_id: 'sess_1',
        user_id: 'auth0|5f7c8ec7c33c6c004bbafe82',
        client_id: 'cli_123',
        rotating: false,
        resource_servers: [{ audience: 'https://api.acme.test', scopes: 'read write' }],
        created_at: '2025-01-15T09:01:00.000Z',
        expires_at: '2025-03-15T09:01:00.000Z',
        idle_expires_at: '2025-02-15T09:01:00.000Z',
        last_exchanged_at: '2025-01-16T09:01:00.000Z',
        metadata: { app: 'ios' },
        device: { last_ip: '198.51.100.23' },
      },
      prompt: { id: 'ap_form', fields: { accepted_terms: true } },
    });
  });

  it('fills Auth0’s defaults for a minimal login: empty arrays and metadata, the database connection, geoip {}', () => {
    assert.deepEqual(buildPostLoginEvent(minimalInput()), {
      user: {
        user_id: 'auth0|1',
        email_verified: false,
        user_metadata: {},
        app_metadata: {},
        created_at: '2025-01-01T00:00:00.000Z',
        updated_at: '2025-01-02T00:00:00.000Z',
        identities: [],
        multifactor: [],
        enrolledFactors: [],
      },
      client: { client_id: 'c1', name: 'App', metadata: {} },
      connection: { id: 'con_1', name: 'Username-Password-Authentication', strategy: 'auth0', metadata: {} },
      tenant: { id: 't1' },
      stats: { logins_count: 0 },
      authorization: { roles: [] },
      secrets: {},
      configuration: {},
      request: {
        ip: '192.0.2.1',
        hostname: 'id.example.test',
        method: 'GET',
        query: {},
        body: {},
        geoip: {},
      },
      transaction: {
        id: 'tx1',
        locale: 'en',
        protocol: 'oidc-basic-profile',
        requested_scopes: [],
        acr_values: [],
        ui_locales: [],
        metadata: {},
      },
      authentication: { methods: [] },
    });
  });

  it('leaves out what storage marks as unset (null) and what the event does not carry (blocked, last_ip…)', () => {
    const input = minimalInput();
    Object.assign(input.user, {
      email: null,
      username: null,
      phone_number: null,
      phone_verified: false,
      last_password_reset: null,
      blocked: true,
      last_ip: '192.0.2.9',
      last_login: '2025-01-01T00:00:00.000Z',
      password_hash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    });
    const user = buildPostLoginEvent(input).user as unknown as Record<string, unknown>;
    for (const key of ['email', 'username', 'phone_number', 'phone_verified', 'last_password_reset']) {
      assert.equal(Object.hasOwn(user, key), false, `${key} is absent`);
    }
    for (const key of ['blocked', 'last_ip', 'last_login', 'password_hash', 'logins_count']) {
      assert.equal(Object.hasOwn(user, key), false, `${key} is not part of event.user`);
    }
  });

  it('takes logins_count from the stored user when no stats are given', () => {
    const input = minimalInput();
    input.user.logins_count = 7;
    assert.deepEqual(buildPostLoginEvent(input).stats, { logins_count: 7 });
  });

  it('always starts with no secrets: each action receives only its own from the runtime', () => {
    assert.deepEqual(buildPostLoginEvent(fullInput()).secrets, {});
  });

  it('is plain JSON: only Object and Array prototypes, no undefined, round-trips through JSON unchanged', () => {
    const event = buildPostLoginEvent(fullInput());
    assert.deepEqual(JSON.parse(JSON.stringify(event)), event);
    for (const [path, value] of containers(event)) {
      const prototype = Object.getPrototypeOf(value);
      assert.ok(
        prototype === Object.prototype || prototype === Array.prototype,
        `${path} is a plain object/array`,
      );
      for (const [key, inner] of Object.entries(value)) assert.notEqual(inner, undefined, `${path}.${key}`);
    }
  });

  it('shares no reference with its input: changing one never changes the other', () => {
    const input = fullInput();
    const event = buildPostLoginEvent(input);
    const inputRefs = new Set([...containers(input)].map(([, value]) => value));
    for (const [path, value] of containers(event))
      assert.equal(inputRefs.has(value), false, `${path} is a copy`);

    (event.user.app_metadata as Record<string, unknown>).plan = 'free';
    event.user.identities[0]!.provider = 'changed';
    assert.equal(input.user.app_metadata?.plan, 'enterprise');
    assert.equal(input.user.identities?.[0]?.provider, 'auth0');

    (input.user.user_metadata as { theme: string }).theme = 'light';
    input.roles = ['nobody'];
    assert.equal(event.user.user_metadata.theme, 'dark');
    assert.deepEqual(event.authorization.roles, ['admin', 'billing']);
  });

  it('keeps a stored "__proto__" metadata key as plain data, never as a prototype', () => {
    const input = minimalInput();
    input.user.app_metadata = JSON.parse('{"__proto__": {"isAdmin": true}, "plan": "pro"}');
    const metadata = buildPostLoginEvent(input).user.app_metadata;
    assert.equal(Object.getPrototypeOf(metadata), Object.prototype);
    assert.equal((metadata as { isAdmin?: unknown }).isAdmin, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value, { isAdmin: true });
  });

  it('rejects an invalid date, naming the field', () => {
    const input = minimalInput();
    input.user.created_at = 'yesterday';
    assert.throws(() => buildPostLoginEvent(input), {
      name: 'RangeError',
      message: 'user.created_at is not a valid date',
    });
  });
});
