import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  addLoopbackTenant,
  createApp,
  managementToken,
  type OidcTestServer,
  startOidcServer,
} from './helpers.ts';
import { attempt, BLOCKED, FORM, fail, logsIn, openLogin, PASSWORD, type Site } from './login-from.ts';

// The two groups run side by side: the second mostly waits (the tenant cache), the first mostly works.
describe('brute-force protection', { concurrency: true }, () => {
  /** Auth0's brute-force protection and suspicious IP throttling, docs/security.md#41, #42 and #43. */
  // One test at a time here (a subtest would inherit side by side).
  describe('brute-force protection of the login page', { concurrency: false }, () => {
    let server: OidcTestServer;
    /** The default tenant, at localhost:<port>. */
    let a: Site;
    /** A second tenant, at 127.0.0.1:<port>. */
    let b: Site;

    before(async () => {
      server = await startOidcServer({ TESSERA_TRUST_PROXY: '127.0.0.1' });
      const other = await addLoopbackTenant(server, 'acme', { signup_enabled: true });
      await server.storage.tenants.updateSettings(server.tenantId, { settings: { signup_enabled: true } });
      a = { issuer: server.issuer, tenantId: server.tenantId, clientId: (await createApp(server)).clientId };
      b = { issuer: other.issuer, tenantId: other.tenantId, clientId: (await createApp(other)).clientId };
    });
    after(() => server.stop());

    const createUser = (site: Site, email: string, username?: string) =>
      server.storage.users.create(site.tenantId, {
        email,
        password: PASSWORD,
        ...(username ? { username } : {}),
      });

    it('41: of 40 concurrent guesses for one account only 10 reach the password check; the right one after them is refused', async () => {
      await createUser(a, 'burst@example.com');
      const page = await openLogin(a, '203.0.113.41');
      const wrong = Array.from({ length: 39 }, (_, i) => attempt(page, 'burst@example.com', `guess ${i}`));
      // The right password goes last, still during the burst: once a refusal says the limit is full (or,
      // on a server without one, once every wrong guess has answered).
      const refusal = new Promise<void>((resolve) => {
        for (const pending of wrong) pending.then((answer) => answer.status === 429 && resolve());
      });
      await Promise.race([refusal, Promise.all(wrong)]);
      const right = await attempt(page, 'burst@example.com', PASSWORD);
      const statuses = (await Promise.all(wrong)).map((answer) => answer.status);
      assert.equal(statuses.filter((status) => status === 400).length, 10, 'guesses that were checked');
      assert.equal(statuses.filter((status) => status === 429).length, 29, 'refused without checking');
      assert.equal(right.status, 429);
      assert.ok(right.body.includes(BLOCKED));
    });

    it('42: 10 consecutive failures for one user from one IP block that IP for that user, with no end to wait for; a success starts the count over', async () => {
      const erin = await createUser(a, 'erin@example.com');
      const ip = '198.51.100.7';
      await fail(await openLogin(a, ip), 'erin@example.com', 9);
      assert.ok(await logsIn(a, ip, 'erin@example.com'), 'nine failures and the right password: logged in');

      const page = await openLogin(a, ip);
      await fail(page, 'erin@example.com', 10);
      for (const password of [PASSWORD, 'another wrong one']) {
        const refused = await attempt(page, 'erin@example.com', password);
        assert.equal(refused.status, 429);
        assert.equal(refused.retryAfter, null, 'a block has no end to wait for');
        assert.ok(refused.body.includes(BLOCKED));
        assert.doesNotMatch(refused.body, /Try again/);
      }
      assert.equal(await logsIn(a, ip, 'erin@example.com'), false, 'a new login page changes nothing');

      // Auth0's `limit_wc` ("Blocked Account"), once, when the block began.
      let blocks: Awaited<ReturnType<typeof server.storage.auditLogs.list>>['logs'] = [];
      for (let i = 0; i < 100 && blocks.length === 0; i++) {
        const query = { page: 0, perPage: 10, types: ['limit_wc'], userId: erin.user_id };
        blocks = (await server.storage.auditLogs.list(a.tenantId, query)).logs;
        if (blocks.length === 0) await sleep(20);
      }
      assert.deepEqual(
        blocks.map((log) => [log.userId, log.userName, log.ip, log.connection]),
        [[erin.user_id, 'erin@example.com', ip, 'Username-Password-Authentication']],
      );
    });

    it('42: a block binds one user to one IP: the owner logs in from another IP, another user from the blocked one', async () => {
      await createUser(a, 'frank@example.com');
      await createUser(a, 'grace@example.com');
      const attacker = '2001:db8::66';
      const page = await openLogin(a, attacker);
      await fail(page, 'frank@example.com', 10);
      assert.equal((await attempt(page, 'frank@example.com', PASSWORD)).status, 429);

      assert.ok(await logsIn(a, '198.51.100.8', 'frank@example.com'), 'the owner, from another IP');
      assert.ok(await logsIn(a, attacker, 'grace@example.com'), 'another user, from the blocked IP');
    });

    it('43: the email and the username of one account share one count', async () => {
      await createUser(a, 'heidi@example.com', 'heidi');
      const page = await openLogin(a, '203.0.113.43');
      await fail(page, 'Heidi@Example.com', 5);
      await fail(page, 'heidi', 5);
      const refused = await attempt(page, 'heidi@example.com', PASSWORD);
      assert.equal(refused.status, 429);
      assert.ok(refused.body.includes(BLOCKED));
    });

    it('43: failures on one tenant never count against another tenant’s user; an unknown identifier is blocked like a known one', async () => {
      await createUser(b, 'ivan@acme.test');
      const ip = '203.0.113.44';
      const page = await openLogin(a, ip);
      await fail(page, 'ivan@acme.test', 10);
      const refused = await attempt(page, 'ivan@acme.test', PASSWORD);
      assert.equal(refused.status, 429, 'unknown on this tenant, and blocked all the same');
      assert.ok(refused.body.includes(BLOCKED));

      assert.ok(await logsIn(b, ip, 'ivan@acme.test'), 'the user of the other tenant, from the same IP');
    });

    it('100 failed logins from one IP across accounts throttle that IP for a day (429, Retry-After), never the owner elsewhere', async () => {
      await createUser(a, 'judy@example.com');
      await createUser(b, 'judy@acme.test');
      const ip = '198.51.100.100';
      const page = await openLogin(a, ip);
      for (let batch = 0; batch < 10; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) => attempt(page, `nobody-${batch * 10 + i}@example.com`, 'nope')),
        );
        assert.deepEqual(
          answers.map((answer) => answer.status),
          Array(10).fill(400),
          `failures ${batch * 10 + 1}–${batch * 10 + 10} all reach the password check`,
        );
      }
      const throttled = await attempt(page, 'judy@example.com', PASSWORD);
      assert.equal(throttled.status, 429);
      const seconds = Number(throttled.retryAfter);
      assert.ok(seconds > 86_000 && seconds <= 86_400, `Retry-After ${throttled.retryAfter}`);
      assert.ok(
        throttled.body.includes(`Too many attempts. Try again in ${Math.ceil(seconds / 60)} minutes.`),
      );

      assert.ok(await logsIn(a, '198.51.100.101', 'judy@example.com'), 'the owner, from another IP');
      assert.ok(await logsIn(b, ip, 'judy@acme.test'), 'the same IP on another tenant');
    });

    it('43: the sign-up limit of 20 attempts per IP counts per tenant', async () => {
      const ip = '203.0.113.45';
      const signup = async (site: Site) => {
        const page = await openLogin(site, ip);
        const response = await page.browser.fetch(`/u/signup?state=${page.state}`, {
          method: 'POST',
          headers: FORM,
          body: new URLSearchParams({ _csrf: page.csrf, email: 'newcomer@example.com', password: 'short' }),
        });
        return { status: response.status, retryAfter: response.headers.get('retry-after') };
      };
      for (let i = 0; i < 20; i++) assert.equal((await signup(a)).status, 400, `sign-up ${i + 1}`);
      const refused = await signup(a);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.retryAfter) > 800 && Number(refused.retryAfter) <= 900);
      assert.equal((await signup(b)).status, 400, 'the same IP on another tenant is not throttled');
    });
  });

  /**
   * The tenant's attack-protection settings (`/api/v2/attack-protection/*`) as the login page applies
   * them: each change is made through the Management API and proven by logins. The page reads them from
   * the Host → tenant cache, so each change is given that cache's 5 s before it is tried. Each test has
   * a server of its own, so the tests run side by side and those waits overlap (most of the time here is
   * waiting, not work).
   */
  describe('brute-force protection follows the tenant’s attack-protection settings', {
    concurrency: true,
  }, () => {
    /** A server of the test's own, with sign-ups open and one app; stopped after the test. */
    const protectedSite = async (t: TestContext) => {
      const server = await startOidcServer({ TESSERA_TRUST_PROXY: '127.0.0.1' });
      t.after(() => server.stop());
      await server.storage.tenants.updateSettings(server.tenantId, { settings: { signup_enabled: true } });
      const site: Site = {
        issuer: server.issuer,
        tenantId: server.tenantId,
        clientId: (await createApp(server)).clientId,
      };
      const token = await managementToken(server);
      return {
        site,
        /** PATCHes an attack-protection resource, then waits out the Host → tenant cache (5 s). */
        async configure(resource: string, body: unknown) {
          const response = await fetch(`${server.issuer}api/v2/attack-protection/${resource}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify(body),
          });
          assert.equal(response.status, 200, await response.text());
          await sleep(5_200);
        },
        createUser: (email: string) =>
          server.storage.users.create(site.tenantId, { email, password: PASSWORD }),
      };
    };

    it('max_attempts: 3 failures block the IP for that user; back to 10, the count starts over', async (t) => {
      const { site, configure, createUser } = await protectedSite(t);
      await createUser('mallory@example.com');
      await configure('brute-force-protection', { max_attempts: 3 });
      const page = await openLogin(site, '203.0.113.60');
      await fail(page, 'mallory@example.com', 3);
      const refused = await attempt(page, 'mallory@example.com', PASSWORD);
      assert.equal(refused.status, 429);
      assert.ok(refused.body.includes(BLOCKED));
      assert.ok(await logsIn(site, '203.0.113.61', 'mallory@example.com'), 'the owner, from another IP');

      await configure('brute-force-protection', { max_attempts: 10 });
      assert.ok(await logsIn(site, '203.0.113.60', 'mallory@example.com'), 'counted toward another limit');
    });

    it('disabled, or with no block shield, failures never block; enabled again, they do', async (t) => {
      const { site, configure, createUser } = await protectedSite(t);
      await createUser('niaj@example.com');
      await configure('brute-force-protection', { enabled: false });
      await fail(await openLogin(site, '203.0.113.62'), 'niaj@example.com', 12);
      assert.ok(await logsIn(site, '203.0.113.62', 'niaj@example.com'), 'twelve failures, then logged in');

      await configure('brute-force-protection', { enabled: true, shields: ['user_notification'] });
      await fail(await openLogin(site, '203.0.113.63'), 'niaj@example.com', 12);
      assert.ok(await logsIn(site, '203.0.113.63', 'niaj@example.com'), 'notifying only: not blocked');

      await configure('brute-force-protection', { shields: ['block'] });
      const page = await openLogin(site, '203.0.113.64');
      await fail(page, 'niaj@example.com', 10);
      assert.equal((await attempt(page, 'niaj@example.com', PASSWORD)).status, 429);
    });

    it('an allowlisted address or range is never blocked; others still are', async (t) => {
      const { site, configure, createUser } = await protectedSite(t);
      await createUser('olivia@example.com');
      await configure('brute-force-protection', { allowlist: ['198.51.100.0/24', '2001:db8:1::7'] });
      for (const ip of ['198.51.100.200', '2001:db8:1::7']) {
        await fail(await openLogin(site, ip), 'olivia@example.com', 12);
        assert.ok(await logsIn(site, ip, 'olivia@example.com'), `${ip} is allowlisted`);
      }
      const page = await openLogin(site, '198.51.101.1');
      await fail(page, 'olivia@example.com', 10);
      assert.equal((await attempt(page, 'olivia@example.com', PASSWORD)).status, 429, 'outside the range');
    });

    it('suspicious IP throttling: its pre-login budget, its allowlist and its switch', async (t) => {
      const { site, configure, createUser } = await protectedSite(t);
      await createUser('peggy@example.com');
      // 5 failures in a window of 5 × 60 s.
      await configure('suspicious-ip-throttling', {
        stage: { 'pre-login': { max_attempts: 5, rate: 60_000 } },
      });
      const page = await openLogin(site, '192.0.2.70');
      for (let i = 0; i < 5; i++) await fail(page, `nobody-${i}@example.com`, 1);
      const throttled = await attempt(page, 'peggy@example.com', PASSWORD);
      assert.equal(throttled.status, 429);
      const seconds = Number(throttled.retryAfter);
      assert.ok(seconds > 280 && seconds <= 300, `Retry-After ${throttled.retryAfter}`);

      await configure('suspicious-ip-throttling', { allowlist: ['192.0.2.70'] });
      assert.ok(await logsIn(site, '192.0.2.70', 'peggy@example.com'), 'allowlisted: not throttled');
      await configure('suspicious-ip-throttling', { allowlist: [], enabled: false });
      const free = await openLogin(site, '192.0.2.71');
      for (let i = 0; i < 7; i++) await fail(free, `nobody-${i}@example.com`, 1);
      assert.ok(await logsIn(site, '192.0.2.71', 'peggy@example.com'), 'disabled: not throttled');
    });

    it('suspicious IP throttling: its pre-user-registration budget limits sign-ups from one IP', async (t) => {
      const { site, configure } = await protectedSite(t);
      await configure('suspicious-ip-throttling', {
        enabled: true,
        stage: { 'pre-user-registration': { max_attempts: 2, rate: 60_000 } },
      });
      const signup = async () => {
        const at = await openLogin(site, '192.0.2.72');
        const response = await at.browser.fetch(`/u/signup?state=${at.state}`, {
          method: 'POST',
          headers: FORM,
          body: new URLSearchParams({ _csrf: at.csrf, email: 'newcomer@example.com', password: 'short' }),
        });
        return { status: response.status, retryAfter: Number(response.headers.get('retry-after')) };
      };
      assert.equal((await signup()).status, 400);
      assert.equal((await signup()).status, 400);
      const refused = await signup();
      assert.equal(refused.status, 429, 'the third sign-up from one IP');
      assert.ok(refused.retryAfter > 100 && refused.retryAfter <= 120, `Retry-After ${refused.retryAfter}`);
    });
  });
});
