import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createTestEnvironment, type TestEnvironment } from '@tessera/testing';
import pino from 'pino';
import { routeConsoleToLog } from '../../src/console-log.ts';
import { freePort, listening, type MainProcess, spawnMain, stopProcess } from '../helpers.ts';

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

/** Each line of a stream's text that is not JSON, with its number (an empty last line is the end). */
const notJson = (text: string) =>
  text
    .split('\n')
    .slice(0, -1)
    .flatMap((line, i) => {
      try {
        JSON.parse(line);
        return [];
      } catch {
        return [`${i + 1}: ${line}`];
      }
    });

describe('every line the process writes is JSON (docs/operations.md#how-the-server-behaves)', () => {
  let environment: TestEnvironment;
  let proc: MainProcess;
  let base: string;
  before(async () => {
    environment = await createTestEnvironment({ LOG_LEVEL: 'debug' });
    const port = await freePort();
    proc = spawnMain({ ...environment.env, PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
    await listening(proc);
    base = `http://localhost:${port}`;
  });
  after(async () => {
    await stopProcess(proc);
    await environment.cleanup();
  });

  it('through a first run, a login-ish mix of requests, introspection, revocation and shutdown', async () => {
    const credentials = JSON.parse(await readFile(join(environment.dataDir, 'first-run.json'), 'utf8'));
    const machine = {
      client_id: credentials.management.client_id,
      client_secret: credentials.management.client_secret,
    };
    const management = (await (
      await fetch(`${base}/oauth/token`, {
        ...form({ grant_type: 'client_credentials', audience: credentials.management.audience, ...machine }),
      })
    ).json()) as { access_token: string };
    const created = await fetch(`${base}/api/v2/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${management.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Logs App',
        app_type: 'regular_web',
        callbacks: ['https://app.example.com/callback'],
        allowed_logout_urls: ['https://app.example.com/bye'],
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const app = (await created.json()) as { client_id: string };

    const authorize = `${base}/authorize?${new URLSearchParams({
      client_id: app.client_id,
      response_type: 'code',
      redirect_uri: 'https://app.example.com/callback',
      scope: 'openid profile',
      state: 's',
    })}`;
    const toLogin = await fetch(authorize, { redirect: 'manual' });
    const cookies = toLogin.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const loginUrl = new URL(toLogin.headers.get('location')!, base).href;
    const page = await (await fetch(loginUrl, { headers: { cookie: cookies } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const wrong = await fetch(loginUrl, {
      ...form({ _csrf: csrf, username: 'nobody@example.com', password: 'wrong password' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    });
    assert.equal(wrong.status, 400);

    // An opaque machine token (no audience): introspection and revocation reach their policies.
    const opaque = (await (
      await fetch(`${base}/oauth/token`, form({ grant_type: 'client_credentials', ...machine }))
    ).json()) as { access_token: string };
    const introspected = await fetch(
      `${base}/oauth/token/introspection`,
      form({ token: opaque.access_token, ...machine }),
    );
    assert.equal(((await introspected.json()) as { active: boolean }).active, true);
    const revoked = await fetch(`${base}/oauth/revoke`, form({ token: opaque.access_token, ...machine }));
    assert.equal(revoked.status, 200);

    for (const [path, status] of [
      ['/', 200],
      ['/.well-known/openid-configuration', 200],
      ['/.well-known/jwks.json', 200],
      ['/u/login', 400],
      ['/v2/logout?returnTo=https%3A%2F%2Fevil.example.com%2F', 400],
      ['/nowhere', 404],
    ] as const) {
      assert.equal((await fetch(`${base}${path}`, { redirect: 'manual' })).status, status, path);
    }
    const malformed = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":',
    });
    assert.equal(malformed.status, 400);

    await stopProcess(proc);
    assert.equal(proc.child.exitCode, 0, proc.stderr);
    assert.deepEqual(notJson(proc.stdout), [], 'stdout');
    assert.deepEqual(notJson(proc.stderr), [], 'stderr');
    assert.doesNotMatch(proc.stdout + proc.stderr, /you SHOULD change|you MUST change/, 'no library notice');
    assert.match(proc.stdout, /"msg":"shutdown complete"/, 'the output was read to its end');
  });
});

describe('what a library prints with console goes through the logger', () => {
  it("oidc-provider's notices at their level, tagged, and other console output as console lines", async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const log = pino({ level: 'debug' }, destination);
    const restore = routeConsoleToLog(log);
    try {
      console.info('oidc-provider NOTICE: default renderError function called, you SHOULD change it.');
      console.warn('\x1b[31;1moidc-provider WARNING: a quick start development-only adapter is used\x1b[0m');
      console.log('plain %s', 'text', { a: 1 });
      process.emitWarning('something is deprecated', 'DeprecationWarning', 'DEP0999');
      await once(process, 'warning');
    } finally {
      restore();
    }
    await new Promise((resolve) => setImmediate(resolve));
    const shape = lines.map(({ level, component, msg, code }) => ({ level, component, msg, code }));
    assert.deepEqual(shape, [
      {
        level: 30,
        component: 'oidc-provider',
        msg: 'default renderError function called, you SHOULD change it.',
        code: undefined,
      },
      {
        level: 40,
        component: 'oidc-provider',
        msg: 'a quick start development-only adapter is used',
        code: undefined,
      },
      { level: 30, component: 'console', msg: 'plain text { a: 1 }', code: undefined },
      { level: 40, component: 'process', msg: 'something is deprecated', code: 'DEP0999' },
    ]);
  });
});
