import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import { runMain } from '../helpers.ts';
import {
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  startOidcServer,
} from '../oidc/helpers.ts';
import { bindActions, deployAction } from './helpers.ts';

// MaxMind's fake test databases (packages/triggers/test/fixtures/README.md: origin, licence, contents).
const FIXTURES = join(import.meta.dirname, '../../../../packages/triggers/test/fixtures');
const CITY_DB = join(FIXTURES, 'GeoIP2-City-Test.mmdb');

/** A browser behind a proxy: every request says which client the proxy forwarded. */
class ProxiedBrowser extends Browser {
  readonly clientIp: string;
  constructor(origin: string, clientIp: string) {
    super(origin);
    this.clientIp = clientIp;
  }
  override fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', this.clientIp);
    return super.fetch(url, { ...init, headers });
  }
}

const GEOIP_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('country', event.request.geoip?.countryCode);
  api.idToken.setCustomClaim('https://example.com/geoip', event.request.geoip);
};`;

/**
 * `event.request.geoip` in real logins: the server opens TESSERA_GEOIP_DB at boot and looks up the
 * client's address, which behind a trusted proxy (TESSERA_TRUST_PROXY) is the one X-Forwarded-For names.
 */
describe('event.request.geoip from TESSERA_GEOIP_DB', () => {
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };
  const servers: OidcTestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.stop())));

  /** A server with the GeoIP action bound, and a login through `browser` that returns the ID token's claims. */
  const setUp = async (env: Record<string, string>) => {
    const server = await startOidcServer({ TESSERA_GEOIP_DB: CITY_DB, ...env });
    servers.push(server);
    const app = await createApp(server);
    await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password });
    await bindActions(server.storage, server.tenantId, [
      await deployAction(server.storage, server.tenantId, 'geoip', GEOIP_ACTION),
    ]);
    const config: oidc.Configuration = await discover(server, app.clientId, app.clientSecret);
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
    const login = async (browser: Browser) => {
      const tokens = await loginWithCode(server, config, browser, ada);
      return (await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
    };
    return { server, login };
  };

  describe('behind a trusted proxy', () => {
    let env: Awaited<ReturnType<typeof setUp>>;
    before(async () => {
      env = await setUp({ TESSERA_TRUST_PROXY: 'loopback' });
    });

    it("gives the action the forwarded client's location, in Auth0's shape", async () => {
      const claims = await env.login(new ProxiedBrowser(env.server.issuer, '81.2.69.142'));
      assert.equal(claims.country, 'GB');
      assert.deepEqual(claims['https://example.com/geoip'], {
        countryCode: 'GB',
        countryCode3: 'GBR',
        countryName: 'United Kingdom',
        cityName: 'London',
        latitude: 51.5142,
        longitude: -0.0931,
        timeZone: 'Europe/London',
        subdivisionCode: 'ENG',
        subdivisionName: 'England',
        continentCode: 'EU',
      });
    });

    it('gives an empty geoip for a private address, so scripts reading geoip.countryCode still run', async () => {
      const claims = await env.login(new ProxiedBrowser(env.server.issuer, '10.20.30.40'));
      assert.equal(claims.country, undefined);
      assert.deepEqual(claims['https://example.com/geoip'], {});
    });
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy: a forged address gets no location', async () => {
    const { server, login } = await setUp({});
    const claims = await login(new ProxiedBrowser(server.issuer, '81.2.69.142'));
    assert.equal(claims.country, undefined);
    assert.deepEqual(claims['https://example.com/geoip'], {});
  });

  it('refuses to start, in one line naming the variable, with a MaxMind DB that holds no locations', async () => {
    const result = await runMain({ TESSERA_GEOIP_DB: join(FIXTURES, 'GeoIP2-Connection-Type-Test.mmdb') });
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0]!,
      /^invalid configuration: TESSERA_GEOIP_DB: \S+GeoIP2-Connection-Type-Test\.mmdb is a GeoIP2-Connection-Type database; a City or Country database \(e\.g\. GeoLite2-City\) is needed$/,
    );
  });
});
