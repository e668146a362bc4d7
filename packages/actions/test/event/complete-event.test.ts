import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completePostLoginEvent, defaultPostLoginEvent } from '../../src/event/index.ts';

/** The partial as the CLI gets it: parsed from a JSON file. */
const fromFile = (json: string) => completePostLoginEvent(JSON.parse(json));

const rejects = (partial: unknown, message: string) =>
  assert.throws(
    () => completePostLoginEvent(partial),
    (error: unknown) => {
      assert.ok(error instanceof TypeError, `TypeError, got ${error}`);
      assert.equal(error.message, message);
      return true;
    },
  );

describe('completePostLoginEvent merges a partial event over the default', () => {
  it('merges known objects field by field and keeps the rest of the default', () => {
    const event = completePostLoginEvent({ user: { email: 'x@y.test' }, transaction: { locale: 'de' } });
    const base = defaultPostLoginEvent();
    assert.equal(event.user.email, 'x@y.test');
    assert.equal(event.user.name, base.user.name);
    assert.equal(event.transaction.locale, 'de');
    assert.deepEqual(event.transaction.requested_scopes, base.transaction.requested_scopes);
    assert.deepEqual(event.client, base.client);
  });

  it('replaces metadata, query, body, geoip and arrays as a whole', () => {
    const event = completePostLoginEvent({
      user: { app_metadata: { plan: 'free' }, identities: [] },
      request: { query: { screen_hint: 'signup' }, geoip: { countryCode: 'FR' } },
      transaction: { requested_scopes: ['openid'] },
      authorization: { roles: [] },
    });
    assert.deepEqual(event.user.app_metadata, { plan: 'free' });
    assert.deepEqual(event.user.identities, []);
    assert.deepEqual(event.request.query, { screen_hint: 'signup' });
    assert.deepEqual(event.request.geoip, { countryCode: 'FR' });
    assert.deepEqual(event.transaction.requested_scopes, ['openid']);
    assert.deepEqual(event.authorization.roles, []);
  });

  it('removes optional fields and sections given as null', () => {
    const event = completePostLoginEvent({
      user: { email: null, picture: null },
      session: null,
      resource_server: null,
    });
    assert.equal(Object.hasOwn(event.user, 'email'), false);
    assert.equal(Object.hasOwn(event.user, 'picture'), false);
    assert.equal(Object.hasOwn(event, 'session'), false);
    assert.equal(Object.hasOwn(event, 'resource_server'), false);
  });

  it('completes a section the default lacks over a sample (organization, refresh_token, prompt)', () => {
    const event = completePostLoginEvent({
      organization: { name: 'globex' },
      refresh_token: { rotating: false },
      prompt: { fields: { nickname: 'jd' } },
      transaction: { protocol: 'oauth2-refresh-token' },
    });
    assert.deepEqual(event.organization, {
      id: 'org_9ybsU1dN2dKfDkBi',
      name: 'globex',
      display_name: 'Acme Corp',
      metadata: {},
    });
    assert.equal(event.refresh_token?.rotating, false);
    assert.match(event.refresh_token?.id ?? '', /^rt_/);
    assert.deepEqual(event.prompt?.fields, { nickname: 'jd' });
  });

  it('validates each item of a replaced list as a complete object', () => {
    const event = completePostLoginEvent({
      user: {
        enrolledFactors: [
          { type: 'webauthn-platform' },
          { type: 'phone', options: { preferredMethod: 'sms' } },
        ],
      },
    });
    assert.deepEqual(event.user.enrolledFactors, [
      { type: 'webauthn-platform' },
      { type: 'phone', options: { preferredMethod: 'sms' } },
    ]);
  });

  it('keeps fields Tessera does not model (an event copied from Auth0), as JSON', () => {
    const event = completePostLoginEvent({
      custom_domain: { domain: 'id.acme.test' },
      user: { last_login: 'x' },
    });
    assert.deepEqual((event as unknown as Record<string, unknown>).custom_domain, { domain: 'id.acme.test' });
    assert.equal((event.user as unknown as Record<string, unknown>).last_login, 'x');
  });

  it('returns a copy sharing nothing with the partial', () => {
    const partial = { user: { app_metadata: { nested: { a: 1 } } }, request: { body: { list: [1] } } };
    const event = completePostLoginEvent(partial);
    (event.user.app_metadata.nested as { a: number }).a = 2;
    (event.request.body.list as number[]).push(2);
    assert.deepEqual(partial, {
      user: { app_metadata: { nested: { a: 1 } } },
      request: { body: { list: [1] } },
    });
  });
});

describe('completePostLoginEvent rejects bad shapes, naming the JSON path', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a non-object event', [], 'event must be an object'],
    ['a non-object section', { user: 'jane' }, 'event.user must be an object'],
    [
      'metadata that is not an object',
      { user: { app_metadata: [] } },
      'event.user.app_metadata must be an object',
    ],
    ['a string field given a number', { user: { email: 42 } }, 'event.user.email must be a string'],
    [
      'a boolean field given a string',
      { user: { email_verified: 'yes' } },
      'event.user.email_verified must be a boolean',
    ],
    [
      'a number field given a string',
      { stats: { logins_count: '3' } },
      'event.stats.logins_count must be a number',
    ],
    [
      'a non-finite number',
      { request: { geoip: { latitude: Number.NaN } } },
      'event.request.geoip.latitude must be a number',
    ],
    [
      'a string array given a string',
      { transaction: { requested_scopes: 'openid' } },
      'event.transaction.requested_scopes must be an array of strings',
    ],
    [
      'a string array with a number',
      { authorization: { roles: ['a', 1] } },
      'event.authorization.roles[1] must be a string',
    ],
    ['a list given an object', { user: { identities: {} } }, 'event.user.identities must be an array'],
    [
      'a list item missing a field',
      { user: { identities: [{ connection: 'c', provider: 'p', isSocial: false }] } },
      'event.user.identities[0].user_id must be a string',
    ],
    [
      'an unknown protocol',
      { transaction: { protocol: 'oauth1' } },
      'event.transaction.protocol must be one of: oidc-basic-profile, oidc-implicit-profile, oidc-hybrid-profile, oauth2-resource-owner, oauth2-refresh-token, oauth2-device-code, oauth2-token-exchange, samlp',
    ],
    [
      'an unknown cookie mode',
      { session: { cookie: { mode: 'forever' } } },
      'event.session.cookie.mode must be one of: persistent, non-persistent',
    ],
    ['a secret that is not a string', { secrets: { API_KEY: 1 } }, 'event.secrets.API_KEY must be a string'],
    [
      'client metadata that is not a string',
      { client: { metadata: { 'x-tier': true } } },
      'event.client.metadata["x-tier"] must be a string',
    ],
    [
      'transaction metadata that is an object',
      { transaction: { metadata: { step: {} } } },
      'event.transaction.metadata.step must be a string, number or boolean',
    ],
    ['null for a required field', { user: { user_id: null } }, 'event.user.user_id must be a string'],
    ['null for a required section', { request: null }, 'event.request must be an object'],
    [
      'a value that is not JSON',
      { user: { user_metadata: { at: new Date(0) } } },
      'event.user.user_metadata.at must be a JSON value',
    ],
    ['a function', { request: { body: { fn: () => 1 } } }, 'event.request.body.fn must be a JSON value'],
  ];
  for (const [name, partial, message] of cases) {
    it(`${name}: ${message}`, () => rejects(partial, message));
  }
});

describe('completePostLoginEvent refuses keys that reach prototypes, anywhere', () => {
  const cases: Array<[string, string]> = [
    ['{"__proto__": {"polluted": true}}', 'event.__proto__ is not allowed (forbidden key "__proto__")'],
    [
      '{"user": {"constructor": {"prototype": {}}}}',
      'event.user.constructor is not allowed (forbidden key "constructor")',
    ],
    [
      '{"user": {"app_metadata": {"a": {"__proto__": {"x": 1}}}}}',
      'event.user.app_metadata.a.__proto__ is not allowed (forbidden key "__proto__")',
    ],
    [
      '{"request": {"query": {"prototype": "x"}}}',
      'event.request.query.prototype is not allowed (forbidden key "prototype")',
    ],
    [
      '{"user": {"identities": [{"connection": "c", "provider": "p", "user_id": "u", "isSocial": false, "profileData": {"list": [{"constructor": 1}]}}]}}',
      'event.user.identities[0].profileData.list[0].constructor is not allowed (forbidden key "constructor")',
    ],
    [
      '{"unmodelled": {"deep": {"__proto__": null}}}',
      'event.unmodelled.deep.__proto__ is not allowed (forbidden key "__proto__")',
    ],
  ];
  for (const [json, message] of cases) {
    it(message, () => {
      assert.throws(() => fromFile(json), { name: 'TypeError', message });
      assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    });
  }
});
