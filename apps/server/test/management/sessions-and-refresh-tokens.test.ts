import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAuth0Error, type ManagementHarness } from './helpers.ts';
import {
  type App,
  Browser,
  exchange,
  newApp,
  newUser,
  refreshed,
  refused,
  signedIn,
  signIn,
  startSessionsHarness,
} from './sessions-helpers.ts';
import { failure } from './users-helpers.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Auth0's `/sessions`, `/users/{id}/sessions`, `/refresh-tokens` and `/users/{id}/refresh-tokens`
 * through the `auth0` SDK, on sessions and tokens made by real logins: an administrator reads a user's
 * sessions and refresh tokens (by rotation family, never the token itself) and ends them, and the
 * browser then has to log in again, the app's next refresh fails
 * (docs/management-api.md#sessions-and-refresh-tokens). One server for both.
 */
describe('Management API sessions and refresh tokens', () => {
  let h: ManagementHarness;
  let server: Awaited<ReturnType<typeof startSessionsHarness>>['server'];
  let app: App;
  before(async () => {
    ({ h, server } = await startSessionsHarness());
    app = await newApp(server);
  });
  after(() => h.stop());

  describe('sessions', () => {
    /** A user signed in from two browsers: two sessions, each with the app's refresh token. */
    async function twoBrowsers() {
      const user = await newUser(server);
      const browsers = [new Browser(server.issuer), new Browser(server.issuer)];
      const tokens = [];
      for (const browser of browsers) tokens.push(await signIn(server, app, browser, user));
      return { user, browsers, tokens };
    }

    it('lists a user’s sessions, one per browser, in Auth0’s shape, and reads each by id', async () => {
      const { user } = await twoBrowsers();
      const page = await h.management.users.sessions.list(user.userId);
      assert.equal(page.data.length, 2);
      assert.equal(page.hasNextPage(), false);
      const ids = page.data.map((session) => session.id!);
      assert.notEqual(ids[0], ids[1]);
      assert.deepEqual([...ids].sort(), ids, 'sorted by id');
      for (const session of page.data) {
        assert.equal(session.user_id, user.userId);
        assert.deepEqual(session.clients, [{ client_id: app.clientId }]);
        for (const field of ['created_at', 'updated_at', 'authenticated_at', 'expires_at', 'idle_expires_at'])
          assert.match(String(session[field]), ISO, field);
        assert.deepEqual(session.cookie, { mode: 'persistent' });
        assert.equal(typeof session.session_metadata, 'object');
        assert.ok(Date.parse(String(session.expires_at)) > Date.now());
        assert.deepEqual(await h.management.sessions.get(session.id!), session);
      }
      // The cookie value is a bearer credential and no part of the answer.
      const raw = await h.call('GET', `/users/${encodeURIComponent(user.userId)}/sessions`);
      assert.deepEqual(Object.keys(raw.body), ['sessions']);
    });

    it('pages with take and from (Auth0’s checkpoint), through the SDK’s pages', async () => {
      const { user } = await twoBrowsers();
      const page = await h.management.users.sessions.list(user.userId, { take: 1 });
      assert.equal(page.data.length, 1);
      assert.equal(page.hasNextPage(), true);
      const firstId = page.data[0]?.id;
      // The SDK's next page replaces the page's own data.
      await page.getNextPage();
      assert.equal(page.data.length, 1);
      assert.equal(page.hasNextPage(), false);
      const all = await h.management.users.sessions.list(user.userId);
      assert.deepEqual(
        [firstId, page.data[0]?.id],
        all.data.map((session) => session.id),
      );
      const path = `/users/${encodeURIComponent(user.userId)}/sessions`;
      const wire = await h.call('GET', `${path}?take=1&include_totals=false`);
      assert.equal(wire.body.next, all.data[0]?.id);
    });

    it('deleting a session signs its browser out, keeps the other one and the refresh tokens', async () => {
      const { user, browsers, tokens } = await twoBrowsers();
      assert.equal(await signedIn(app, browsers[0]!), true, 'single sign-on before');
      const [one, other] = (await h.management.users.sessions.list(user.userId)).data;
      // Which browser holds which session: the one whose refresh token names it.
      const families = (await h.management.users.refreshToken.list(user.userId)).data;
      const ofFirst = families.find((family) => family.session_id === one!.id);
      assert.ok(ofFirst, 'a refresh token names the session it was issued in');

      await h.management.sessions.delete(one!.id!);
      assertAuth0Error(await h.call('GET', `/sessions/${one!.id}`), 404, 'inexistent_session');
      const left = (await h.management.users.sessions.list(user.userId)).data;
      assert.deepEqual(
        left.map((session) => session.id),
        [other!.id],
      );
      const states = await Promise.all(browsers.map((browser) => signedIn(app, browser)));
      assert.deepEqual([...states].sort(), [false, true], 'one browser signed out, the other not');
      // Offline refresh tokens outlive the session, as at Auth0.
      for (const [i, token] of tokens.entries()) refreshed(await exchange(server, app, token), `token ${i}`);
      // Deleting again, or a session that never was, is accepted (Auth0's deletions are idempotent).
      assert.equal((await h.call('DELETE', `/sessions/${one!.id}`)).status, 202);
    });

    it('revoking a session signs it out and revokes the refresh tokens issued through it', async () => {
      const user = await newUser(server);
      const browser = new Browser(server.issuer);
      const token = await signIn(server, app, browser, user);
      const otherBrowser = new Browser(server.issuer);
      const otherToken = await signIn(server, app, otherBrowser, user);
      const [session] = (await h.management.users.sessions.list(user.userId)).data;
      const sessionId = session!.id!;

      await h.management.sessions.revoke(sessionId);
      assertAuth0Error(await h.call('GET', `/sessions/${sessionId}`), 404, 'inexistent_session');
      const answers = await Promise.all([token, otherToken].map((t) => exchange(server, app, t)));
      assert.deepEqual(
        answers.map((answer) => answer.status).sort(),
        [200, 400],
        'the revoked session’s token fails, the other one works',
      );
      refused(answers.find((answer) => answer.status !== 200)!, 'the revoked session’s token');
      const states = await Promise.all([browser, otherBrowser].map((b) => signedIn(app, b)));
      assert.deepEqual([...states].sort(), [false, true]);
      assertAuth0Error(await h.call('POST', `/sessions/${sessionId}/revoke`), 404, 'inexistent_session');
    });

    it('deleting a user’s sessions signs every browser out', async () => {
      const { user, browsers } = await twoBrowsers();
      const bystander = await newUser(server);
      const bystanderBrowser = new Browser(server.issuer);
      await signIn(server, app, bystanderBrowser, bystander);

      await h.management.users.sessions.delete(user.userId);
      assert.deepEqual((await h.management.users.sessions.list(user.userId)).data, []);
      for (const browser of browsers) assert.equal(await signedIn(app, browser), false);
      assert.equal(await signedIn(app, bystanderBrowser), true, 'another user’s session is untouched');
      assert.equal((await h.management.users.sessions.list(bystander.userId)).data.length, 1);
      // Logging in again makes a new session, listed as such.
      await signIn(server, app, browsers[0]!, user);
      assert.equal((await h.management.users.sessions.list(user.userId)).data.length, 1);
    });

    it('answers Auth0’s 404 for an unknown session or user, and 400 for a malformed id or query', async () => {
      assert.deepEqual(await failure(h.management.sessions.get('no-such-session')), {
        statusCode: 404,
        body: {
          statusCode: 404,
          error: 'Not Found',
          message: 'The session does not exist.',
          errorCode: 'inexistent_session',
        },
      });
      assertAuth0Error(await h.call('POST', '/sessions/no-such-session/revoke'), 404, 'inexistent_session');
      assert.equal((await h.call('DELETE', '/sessions/no-such-session')).status, 202);
      for (const [method, path] of [
        ['GET', '/users/auth0%7Cnobody/sessions'],
        ['DELETE', '/users/auth0%7Cnobody/sessions'],
      ] as const) {
        assertAuth0Error(await h.call(method, path), 404, 'inexistent_user', /The user does not exist/);
      }
      for (const [method, path] of [
        ['GET', '/sessions/not.a.session'],
        ['DELETE', '/sessions/%20'],
        ['POST', '/sessions/a%2Bb/revoke'],
        ['GET', '/sessions/%00'],
      ] as const) {
        assertAuth0Error(await h.call(method, path), 400, 'invalid_uri');
      }
      const user = await newUser(server);
      const path = `/users/${encodeURIComponent(user.userId)}/sessions`;
      for (const query of ['take=0', 'take=101', 'take=many', 'per_page=5', `from=${'x'.repeat(1025)}`]) {
        assertAuth0Error(await h.call('GET', `${path}?${query}`), 400, 'invalid_query_string');
      }
      assertAuth0Error(
        await h.call('POST', '/sessions/no-such-session/revoke', { body: { reason: 'x' } }),
        400,
        'invalid_body',
      );
    });

    it('reading needs read:sessions, ending delete:sessions', async () => {
      const { user } = await twoBrowsers();
      const [session] = (await h.management.users.sessions.list(user.userId)).data;
      const reader = await h.tokenWith(['read:sessions']);
      const deleter = await h.tokenWith(['delete:sessions']);
      const other = await h.tokenWith(['read:users', 'delete:users', 'read:refresh_tokens']);
      const userPath = `/users/${encodeURIComponent(user.userId)}/sessions`;
      for (const [method, path] of [
        ['GET', `/sessions/${session!.id}`],
        ['GET', userPath],
      ] as const) {
        assert.equal((await h.call(method, path, { token: reader })).status, 200);
        assertAuth0Error(
          await h.call(method, path, { token: deleter }),
          403,
          'insufficient_scope',
          /read:sessions/,
        );
        assertAuth0Error(await h.call(method, path, { token: other }), 403, 'insufficient_scope');
      }
      for (const [method, path] of [
        ['DELETE', `/sessions/${session!.id}`],
        ['POST', `/sessions/${session!.id}/revoke`],
        ['DELETE', userPath],
      ] as const) {
        assertAuth0Error(
          await h.call(method, path, { token: reader }),
          403,
          'insufficient_scope',
          /delete:sessions/,
        );
      }
      assert.equal((await h.management.users.sessions.list(user.userId)).data.length, 2, 'nothing ended');
      assert.equal((await h.call('DELETE', userPath, { token: deleter })).status, 202);
      assert.equal((await h.call('GET', userPath, { token: null })).status, 401);
    });
  });

  describe('refresh tokens', () => {
    /** A user who signed in to the app from two browsers: two refresh-token families. */
    async function twoLogins() {
      const user = await newUser(server);
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) tokens.push(await signIn(server, app, new Browser(server.issuer), user));
      return { user, tokens };
    }

    it('lists a user’s refresh tokens in Auth0’s shape, by family id, never the token', async () => {
      const { user, tokens } = await twoLogins();
      const page = await h.management.users.refreshToken.list(user.userId);
      assert.equal(page.data.length, 2);
      assert.equal(page.hasNextPage(), false);
      const sessions = (await h.management.users.sessions.list(user.userId)).data.map((s) => s.id);
      for (const family of page.data) {
        assert.equal(family.user_id, user.userId);
        assert.equal(family.client_id, app.clientId);
        assert.ok(sessions.includes(family.session_id as string), 'names the session it was issued in');
        assert.match(String(family.created_at), ISO);
        assert.match(String(family.expires_at), ISO);
        assert.ok(Date.parse(String(family.expires_at)) > Date.now());
        assert.ok(Array.isArray(family.resource_servers));
        assert.deepEqual(await h.management.refreshTokens.get(family.id!), family);
      }
      const wire = JSON.stringify(
        (await h.call('GET', `/users/${encodeURIComponent(user.userId)}/refresh-tokens`)).body,
      );
      for (const token of tokens) assert.ok(!wire.includes(token), 'the token value is never shown');
      assert.deepEqual(Object.keys(JSON.parse(wire)), ['tokens']);

      // The tenant-wide list takes the user (and a client) as filters, as Auth0's does.
      const byClient = await h.management.refreshTokens.list({
        user_id: user.userId,
        client_id: app.clientId,
      });
      assert.deepEqual(
        byClient.data.map((family) => family.id),
        page.data.map((family) => family.id),
      );
      const otherApp = await newApp(server);
      assert.deepEqual(
        (await h.management.refreshTokens.list({ user_id: user.userId, client_id: otherApp.clientId })).data,
        [],
      );
      const projected = await h.call(
        'GET',
        `/refresh-tokens?user_id=${encodeURIComponent(user.userId)}&fields=id,client_id&include_fields=true`,
      );
      assert.deepEqual(Object.keys(projected.body.refresh_tokens[0]).sort(), ['client_id', 'id']);
    });

    it('pages with take and from (Auth0’s checkpoint)', async () => {
      const { user } = await twoLogins();
      const all = (await h.management.users.refreshToken.list(user.userId)).data.map((family) => family.id);
      const page = await h.management.users.refreshToken.list(user.userId, { take: 1 });
      const firstId = page.data[0]?.id;
      assert.equal(page.hasNextPage(), true);
      await page.getNextPage();
      assert.deepEqual([firstId, page.data[0]?.id], all);
      assert.equal(page.hasNextPage(), false);
    });

    it('a rotation keeps the family listed once; deleting it makes the app’s next refresh fail', async () => {
      const { user, tokens } = await twoLogins();
      const ids = async () => (await h.management.users.refreshToken.list(user.userId)).data.map((f) => f.id);
      const before = await ids();
      const rotated = refreshed(await exchange(server, app, tokens[0]!), 'a rotation');
      assert.notEqual(rotated, tokens[0]);
      assert.deepEqual(await ids(), before, 'the same two families, under the same ids');
      const families = (await h.management.users.refreshToken.list(user.userId)).data;

      // Delete them one at a time: the token that stops working tells which family it was.
      await h.management.refreshTokens.delete(families[0]!.id!);
      assertAuth0Error(
        await h.call('GET', `/refresh-tokens/${families[0]!.id}`),
        404,
        'inexistent_refresh_token',
      );
      const answers = await Promise.all([rotated, tokens[1]!].map((t) => exchange(server, app, t)));
      assert.deepEqual(
        answers.map((answer) => answer.status).sort(),
        [200, 400],
        'one family revoked, the other one still refreshes',
      );
      refused(answers.find((answer) => answer.status !== 200)!, 'the revoked family’s token');
      assert.deepEqual(
        (await h.management.users.refreshToken.list(user.userId)).data.map((family) => family.id),
        [families[1]!.id],
      );
      // Deleting again is accepted (Auth0's deletions are idempotent).
      assert.equal((await h.call('DELETE', `/refresh-tokens/${families[0]!.id}`)).status, 202);
    });

    it('deleting a user’s refresh tokens makes every one of them fail, and only theirs', async () => {
      const { user, tokens } = await twoLogins();
      const bystander = await newUser(server);
      const theirs = await signIn(server, app, new Browser(server.issuer), bystander);
      await h.management.users.refreshToken.delete(user.userId);
      for (const token of tokens) refused(await exchange(server, app, token), 'a revoked token');
      assert.deepEqual((await h.management.users.refreshToken.list(user.userId)).data, []);
      refreshed(await exchange(server, app, theirs), 'another user’s token');
    });

    it('a user blocked or deleted through the API can no longer refresh', async () => {
      const blocked = await newUser(server);
      const blockedToken = await signIn(server, app, new Browser(server.issuer), blocked);
      await h.management.users.update(blocked.userId, { blocked: true });
      refused(await exchange(server, app, blockedToken), 'a blocked user’s token');
      await h.management.users.update(blocked.userId, { blocked: false });

      const deleted = await newUser(server);
      const deletedToken = await signIn(server, app, new Browser(server.issuer), deleted);
      await h.management.users.delete(deleted.userId);
      refused(await exchange(server, app, deletedToken), 'a deleted user’s token');
    });

    it('answers Auth0’s 404 for an unknown token or user, and 400 for a malformed id or query', async () => {
      assert.deepEqual(await failure(h.management.refreshTokens.get('no-such-family')), {
        statusCode: 404,
        body: {
          statusCode: 404,
          error: 'Not Found',
          message: 'The refresh token does not exist.',
          errorCode: 'inexistent_refresh_token',
        },
      });
      assert.equal((await h.call('DELETE', '/refresh-tokens/no-such-family')).status, 202);
      for (const [method, path] of [
        ['GET', '/users/auth0%7Cnobody/refresh-tokens'],
        ['DELETE', '/users/auth0%7Cnobody/refresh-tokens'],
        ['GET', '/refresh-tokens?user_id=auth0%7Cnobody'],
      ] as const) {
        assertAuth0Error(await h.call(method, path), 404, 'inexistent_user', /The user does not exist/);
      }
      for (const [method, path] of [
        ['GET', '/refresh-tokens/not.a.token'],
        ['DELETE', '/refresh-tokens/a%2Bb'],
        ['GET', '/refresh-tokens/%00'],
      ] as const) {
        assertAuth0Error(await h.call(method, path), 400, 'invalid_uri');
      }
      const user = await newUser(server);
      const id = encodeURIComponent(user.userId);
      for (const path of [
        `/users/${id}/refresh-tokens?take=0`,
        `/users/${id}/refresh-tokens?take=many`,
        `/users/${id}/refresh-tokens?client_id=x`,
        '/refresh-tokens',
        `/refresh-tokens?user_id=${id}&take=101`,
        `/refresh-tokens?user_id=${id}&fields=bad%20name`,
      ]) {
        assertAuth0Error(await h.call('GET', path), 400, 'invalid_query_string', undefined);
      }
      assertAuth0Error(
        await h.call('DELETE', `/users/${id}/refresh-tokens`, { body: { client_id: 'x' } }),
        400,
        'invalid_body',
      );
    });

    it('reading needs read:refresh_tokens, deleting delete:refresh_tokens', async () => {
      const { user, tokens } = await twoLogins();
      const [family] = (await h.management.users.refreshToken.list(user.userId)).data;
      const reader = await h.tokenWith(['read:refresh_tokens']);
      const deleter = await h.tokenWith(['delete:refresh_tokens']);
      const userPath = `/users/${encodeURIComponent(user.userId)}/refresh-tokens`;
      for (const path of [
        `/refresh-tokens/${family!.id}`,
        userPath,
        `/refresh-tokens?user_id=${encodeURIComponent(user.userId)}`,
      ]) {
        assert.equal((await h.call('GET', path, { token: reader })).status, 200);
        assertAuth0Error(
          await h.call('GET', path, { token: deleter }),
          403,
          'insufficient_scope',
          /read:refresh_tokens/,
        );
      }
      for (const path of [`/refresh-tokens/${family!.id}`, userPath]) {
        assertAuth0Error(
          await h.call('DELETE', path, { token: reader }),
          403,
          'insufficient_scope',
          /delete:refresh_tokens/,
        );
      }
      for (const token of tokens) refreshed(await exchange(server, app, token), 'nothing was revoked');
      assert.equal((await h.call('DELETE', userPath, { token: deleter })).status, 202);
      assert.equal((await h.call('GET', userPath, { token: null })).status, 401);
    });
  });
});
