import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers.ts';
import { createApp } from '../oidc/helpers.ts';
import { attempt, fail, logsIn, openLogin, PASSWORD, type Site } from '../oidc/login-from.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';
import { failure } from './users-helpers.ts';

const CONNECTION = 'Username-Password-Authentication';
const byIp = (a: { ip?: string }, b: { ip?: string }) => String(a.ip).localeCompare(String(b.ip));

// Auth0's /user-blocks: the IPs brute-force protection blocked for a user (10 consecutive failures
// from one IP), listed and lifted by user id or identifier (docs/security.md#42), through the SDK.
describe('Management API /user-blocks', () => {
  let h: ManagementHarness;
  let site: Site;
  let kimId: string;

  /** 10 failures for `identifier` from `ip`: that IP is then blocked for it. */
  const block = async (identifier: string, ip: string) => fail(await openLogin(site, ip), identifier, 10);

  before(async () => {
    // The login pages are reached at the tenant's own address; X-Forwarded-For sets the client IP.
    const port = await freePort();
    h = await startManagement({
      PORT: String(port),
      TESSERA_DOMAIN: `localhost:${port}`,
      TESSERA_TRUST_PROXY: '127.0.0.1',
    });
    const server = { ...h.server, issuer: h.issuer, tenantId: h.tenantId };
    site = { issuer: h.issuer, tenantId: h.tenantId, clientId: (await createApp(server)).clientId };
    const kim = await h.server.storage.users.create(h.tenantId, {
      email: 'kim@example.com',
      username: 'kim',
      password: PASSWORD,
    });
    kimId = kim.user_id;
    await block('Kim@Example.com', '198.51.100.1');
    await block('kim', '2001:db8::2');
    // Nine failures are no block: not listed.
    await fail(await openLogin(site, '198.51.100.9'), 'kim', 9);
  });
  after(() => h.stop());

  /** The Management API write recorded with this description (written after the response: polled). */
  async function audited(description: string) {
    for (let i = 0; i < 100; i++) {
      const { logs } = await h.server.storage.auditLogs.list(h.tenantId, {
        page: 0,
        perPage: 50,
        types: ['sapi'],
      });
      const found = logs.find((log) => log.description === description);
      if (found) return found;
      await sleep(20);
    }
    assert.fail(`no sapi event '${description}'`);
  }

  it('lists the IPs blocked for a user by user id and by email or username, in Auth0’s shape', async () => {
    const expected = [
      { identifier: 'kim', ip: '2001:db8::2', connection: CONNECTION },
      { identifier: 'kim@example.com', ip: '198.51.100.1', connection: CONNECTION },
    ].sort(byIp);
    const raw = await h.call('GET', `/user-blocks/${encodeURIComponent(kimId)}`);
    assert.equal(raw.status, 200);
    assert.deepEqual({ blocked_for: raw.body.blocked_for.sort(byIp) }, { blocked_for: expected });

    const byId = await h.management.userBlocks.list(kimId, { consider_brute_force_enablement: true });
    assert.deepEqual(byId.blocked_for?.sort(byIp), expected);
    for (const identifier of ['kim@example.com', 'KIM']) {
      const listed = await h.management.userBlocks.listByIdentifier({ identifier });
      assert.deepEqual(listed.blocked_for?.sort(byIp), expected, identifier);
    }
    const other = await h.server.storage.users.create(h.tenantId, {
      email: 'lee@example.com',
      password: PASSWORD,
    });
    assert.deepEqual(await h.management.userBlocks.list(other.user_id), { blocked_for: [] });
  });

  it('DELETE /user-blocks/{id} lifts every block of the user with its count, and is audited', async () => {
    const from = '198.51.100.1';
    assert.equal((await attempt(await openLogin(site, from), 'kim', PASSWORD)).status, 429, 'blocked');
    await h.management.userBlocks.delete(kimId);
    assert.deepEqual(await h.management.userBlocks.list(kimId), { blocked_for: [] });
    assert.ok(await logsIn(site, from, 'kim@example.com'), 'the user logs in again from that IP');
    assert.ok(await logsIn(site, '2001:db8::2', 'kim'), 'and from the other one');
    // The count starts over: nine more failures are no block.
    await fail(await openLogin(site, from), 'kim', 9);
    assert.deepEqual(await h.management.userBlocks.list(kimId), { blocked_for: [] });
    const event = await audited('Unblock a user');
    assert.deepEqual(event.details.response, { statusCode: 204 });
  });

  it('DELETE /user-blocks?identifier= lifts the blocks of an identifier that matches no user', async () => {
    const ip = '198.51.100.3';
    await block('Ghost@Example.com', ip);
    const listed = await h.management.userBlocks.listByIdentifier({ identifier: 'ghost@example.com' });
    assert.deepEqual(listed, {
      blocked_for: [{ identifier: 'ghost@example.com', ip, connection: CONNECTION }],
    });
    const page = await openLogin(site, ip);
    assert.equal((await attempt(page, 'ghost@example.com', 'guess')).status, 429);

    await h.management.userBlocks.deleteByIdentifier({ identifier: 'ghost@example.com' });
    assert.deepEqual(await h.management.userBlocks.listByIdentifier({ identifier: 'ghost@example.com' }), {
      blocked_for: [],
    });
    assert.equal((await attempt(page, 'ghost@example.com', 'guess')).status, 400, 'checked again');
    await audited('Unblock by identifier');
  });

  it('an unknown user id answers 404 inexistent_user, through the SDK and on the wire', async () => {
    // One call at a time: a second promise made up front would reject before anyone awaits it.
    for (const call of [
      () => h.management.userBlocks.list('auth0|nobody'),
      () => h.management.userBlocks.delete('auth0|nobody'),
    ]) {
      assert.deepEqual(await failure(call()), {
        statusCode: 404,
        body: {
          statusCode: 404,
          error: 'Not Found',
          message: 'The user does not exist.',
          errorCode: 'inexistent_user',
        },
      });
    }
    assertAuth0Error(await h.call('DELETE', '/user-blocks/auth0%7Cnobody'), 404, 'inexistent_user');
  });

  it('refuses malformed requests with Auth0’s 400 bodies', async () => {
    const cases: [string, string, string, RegExp][] = [
      ['GET', '/user-blocks', 'invalid_query_string', /Missing required property: identifier/],
      ['DELETE', '/user-blocks', 'invalid_query_string', /Missing required property: identifier/],
      ['GET', '/user-blocks?identifier=', 'invalid_query_string', /String is too short/],
      ['GET', `/user-blocks?identifier=${'x'.repeat(321)}`, 'invalid_query_string', /String is too long/],
      [
        'GET',
        '/user-blocks?identifier=kim&consider_brute_force_enablement=maybe',
        'invalid_query_string',
        /Expected type boolean but found type string/,
      ],
      [
        'GET',
        '/user-blocks?identifier=kim&page=1',
        'invalid_query_string',
        /Additional properties not allowed: page/,
      ],
      [
        'DELETE',
        '/user-blocks?identifier=kim&consider_brute_force_enablement=true',
        'invalid_query_string',
        /Additional properties not allowed: consider_brute_force_enablement/,
      ],
      ['GET', '/user-blocks/auth0%7C%00', 'invalid_uri', /the path contains a NUL/],
      ['DELETE', '/user-blocks/auth0%7C%00', 'invalid_uri', /the path contains a NUL/],
      [
        'GET',
        `/user-blocks/${encodeURIComponent(kimId)}?fields=ip`,
        'invalid_query_string',
        /Additional properties not allowed: fields/,
      ],
    ];
    for (const [method, path, code, message] of cases) {
      assertAuth0Error(await h.call(method, path), 400, code, message);
    }
    const withBody = await h.call('DELETE', `/user-blocks/${encodeURIComponent(kimId)}`, {
      body: { ip: '1.2.3.4' },
    });
    assertAuth0Error(withBody, 400, 'invalid_body', /takes no request body/);
  });

  it('consider_brute_force_enablement=true lists nothing while brute-force protection does not block', async () => {
    await block('nia@example.com', '198.51.100.40');
    const path = '/user-blocks?identifier=nia%40example.com';
    const listed = [{ identifier: 'nia@example.com', ip: '198.51.100.40', connection: CONNECTION }];
    assert.deepEqual(
      (await h.call('GET', `${path}&consider_brute_force_enablement=true`)).body.blocked_for,
      listed,
    );
    const settings = '/attack-protection/brute-force-protection';
    for (const off of [{ enabled: false }, { enabled: true, shields: ['user_notification'] }]) {
      assert.equal((await h.call('PATCH', settings, { body: off })).status, 200);
      await sleep(5_200); // the Host → tenant cache (docs/oidc.md#behaviour)
      const considered = await h.management.userBlocks.listByIdentifier({
        identifier: 'nia@example.com',
        consider_brute_force_enablement: true,
      });
      assert.deepEqual(considered.blocked_for, [], JSON.stringify(off));
      assert.deepEqual((await h.call('GET', path)).body.blocked_for, listed, 'listed without the flag');
    }
    assert.equal((await h.call('PATCH', settings, { body: { shields: ['block'] } })).status, 200);
  });

  it('reading needs read:users and lifting update:users', async () => {
    const reader = await h.tokenWith(['read:users']);
    const writer = await h.tokenWith(['update:users']);
    const path = `/user-blocks/${encodeURIComponent(kimId)}`;
    assert.equal((await h.call('GET', path, { token: reader })).status, 200);
    assert.equal((await h.call('GET', '/user-blocks?identifier=kim', { token: reader })).status, 200);
    assertAuth0Error(
      await h.call('DELETE', path, { token: reader }),
      403,
      'insufficient_scope',
      /update:users/,
    );
    assertAuth0Error(
      await h.call('DELETE', '/user-blocks?identifier=kim', { token: reader }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(await h.call('GET', path, { token: writer }), 403, 'insufficient_scope', /read:users/);
    assert.equal((await h.call('DELETE', path, { token: writer })).status, 204);
    assert.equal((await h.call('GET', path, { token: null })).status, 401);
  });
});
