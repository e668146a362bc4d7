import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { actionsRan, lastExecution } from '../actions-flow/helpers.ts';
import { type Certificate, freePort, localhostCertificate } from '../helpers.ts';
import { Browser, createApp, discover, loginWithCode } from '../oidc/helpers.ts';
import { type LoginHarness, startWithLogin } from './actions-helpers.ts';
import {
  CURL,
  codeBlockUnder,
  curlSkip,
  type Examples,
  exampleFolder,
  SDK,
  transcript,
} from './docs-examples.ts';
import { type ManagementHarness, startManagement } from './helpers.ts';

const ROLES = 'https://myapp.example.com/roles';
const PLAN = 'https://myapp.example.com/plan';
const API = 'https://api.example.com/';

/** The fields of Auth0's action body these checks read. */
interface ActionBody {
  id: string;
  deployed_version?: { number: number };
  all_changes_deployed: boolean;
  runtime: string;
  secrets: Array<{ name: string }>;
}

/** What the page promises after an example ran, read back through the Management API. */
function checks(h: ManagementHarness) {
  const actionNamed = async (name: string) => {
    const listed = await h.call('GET', `/actions/actions?actionName=${encodeURIComponent(name)}`);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    return listed.body.actions as ActionBody[];
  };
  /** The post-login bindings in order, as `[display name, action name]`. */
  const boundActions = async () => {
    const listed = await h.call('GET', '/actions/triggers/post-login/bindings');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    return listed.body.bindings.map((b: { display_name: string; action: { name: string } }) => [
      b.display_name,
      b.action.name,
    ]);
  };
  /** What a trial run of the action does for a user with a role and a plan. */
  const trial = async (id: string) => {
    const tried = await h.call('POST', `/actions/actions/${id}/test`, {
      body: { payload: { user: { app_metadata: { plan: 'pro' } }, authorization: { roles: ['editor'] } } },
    });
    assert.equal(tried.status, 200, JSON.stringify(tried.body));
    assert.equal(tried.body.payload.outcome, 'completed', JSON.stringify(tried.body));
    return tried.body.payload.commands.map((c: { type: string; key: string; value: unknown }) => [
      c.type,
      c.key,
      c.value,
    ]);
  };
  /** One action of that name, version 1 deployed with the draft, its secret named, its claims set. */
  const assertDeployedOnce = async (name: string) => {
    const [action, ...others] = await actionNamed(name);
    assert.ok(action, `the example created "${name}"`);
    assert.equal(others.length, 0);
    assert.equal(action.deployed_version?.number, 1, JSON.stringify(action));
    assert.equal(action.all_changes_deployed, true);
    assert.equal(action.runtime, 'node22');
    assert.deepEqual(
      action.secrets.map((s) => s.name),
      ['API_KEY'],
    );
    const claims = (await trial(action.id)).filter(([type]: [string]) => type.endsWith('.setCustomClaim'));
    assert.deepEqual(claims, [
      ['idToken.setCustomClaim', ROLES, ['editor']],
      ['accessToken.setCustomClaim', PLAN, 'pro'],
    ]);
  };
  return { actionNamed, boundActions, assertDeployedOnce };
}

/**
 * The two deploy examples of docs/management-api.md, copied out of the page by their headings and
 * run unchanged, as a reader runs them: the SDK one as an .mjs file with this Node, the curl one with
 * bash, with nothing but the environment the page names.
 */
describe('the deploy examples of docs/management-api.md, on a laptop server (plain http, localhost)', () => {
  let h: LoginHarness;
  let ex: Examples;
  let check: ReturnType<typeof checks>;
  let curlRan = false;

  before(async () => {
    h = await startWithLogin();
    ex = await exampleFolder({ dataDir: h.server.env.TESSERA_DATA_DIR!, domain: new URL(h.issuer).host });
    check = checks(h);
  });
  after(async () => {
    await h?.stop();
    await ex?.remove();
  });

  it('the auth0 SDK example creates, tries, deploys (version 1) and binds "roles-and-plan (sdk)"', async () => {
    const result = await ex.sdk();
    assert.equal(result.code, 0, transcript(result));
    assert.match(result.stdout, /^completed /, transcript(result));
    assert.match(result.stdout, /deployed version 1 of roles-and-plan \(sdk\)/);
    await check.assertDeployedOnce(SDK.name);
    assert.deepEqual(await check.boundActions(), [['Roles and plan (sdk)', SDK.name]]);
  });

  it('the curl example does the same for "roles-and-plan (curl)", keeping the SDK action bound before it', {
    skip: curlSkip,
  }, async () => {
    const result = await ex.curl();
    assert.equal(result.code, 0, transcript(result));
    assert.match(result.stdout, /"outcome": "completed"/, transcript(result));
    assert.match(result.stdout, /"number": 1/);
    await check.assertDeployedOnce(CURL.name);
    assert.deepEqual(await check.boundActions(), [
      ['Roles and plan (sdk)', SDK.name],
      ['Roles and plan (curl)', CURL.name],
    ]);
    curlRan = true;
  });

  it('a real login runs the deployed actions: the roles in the ID token, the plan in the access token', async () => {
    const created = await h.call('POST', '/resource-servers', { body: { identifier: API, name: 'API' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const role = await h.call('POST', '/roles', { body: { name: 'editor' } });
    assert.equal(role.status, 200, JSON.stringify(role.body));
    const assigned = await h.call('POST', `/users/${h.userId}/roles`, { body: { roles: [role.body.id] } });
    assert.equal(assigned.status, 204, JSON.stringify(assigned.body));
    const patched = await h.call('PATCH', `/users/${h.userId}`, { body: { app_metadata: { plan: 'pro' } } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));

    const server = { ...h.server, issuer: h.issuer, tenantId: h.tenantId };
    const app = await createApp(server);
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, new Browser(h.issuer), h.user, { audience: API });
    const jwks = createRemoteJWKSet(new URL(`${h.issuer}.well-known/jwks.json`));
    const id = (await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
    const access = (await jwtVerify(tokens.access_token, jwks, { audience: API })).payload;
    assert.deepEqual(id[ROLES], ['editor']);
    assert.equal(access[PLAN], 'pro');
    const ran = actionsRan(await lastExecution(h.server.storage, h.tenantId));
    assert.deepEqual(ran, curlRan ? [SDK.name, CURL.name] : [SDK.name]);
  });

  it('a second run of either example stops at the create with the server’s 409, changing nothing', async () => {
    const bound = await check.boundActions();
    const sdk = await ex.sdk();
    assert.notEqual(sdk.code, 0, transcript(sdk));
    assert.match(sdk.stderr, /Status code: 409/, transcript(sdk));
    assert.match(sdk.stderr, /"message": "an action with this name already exists"/, transcript(sdk));
    if (!curlSkip) {
      const curl = await ex.curl();
      assert.notEqual(curl.code, 0, transcript(curl));
      assert.match(curl.stderr, /"statusCode":409.*"message":"an action with this name already exists"/);
    }
    assert.equal((await check.actionNamed(SDK.name)).length, 1);
    assert.deepEqual(await check.boundActions(), bound);
  });

  it('a wrong client secret stops the curl example at the token request with the server’s error', {
    skip: curlSkip,
  }, async () => {
    const result = await ex.curl({ ...ex.env, TESSERA_CLIENT_SECRET: 'not-the-secret' });
    assert.notEqual(result.code, 0, transcript(result));
    assert.match(result.stderr, /curl: \(22\) .* 401/, transcript(result));
    assert.match(
      result.stderr,
      /{"error":"invalid_client","error_description":"client authentication failed"}/,
    );
    assert.equal(result.stdout, '', 'nothing after the token request ran');
  });

  it('a wrong client secret stops the SDK example with the server’s error', async () => {
    const result = await ex.sdk({ ...ex.env, TESSERA_CLIENT_SECRET: 'not-the-secret' });
    assert.notEqual(result.code, 0, transcript(result));
    assert.match(
      result.stderr,
      /ManagementClient: token request failed\nStatus code: 401/,
      transcript(result),
    );
    assert.match(result.stderr, /"error_description": "client authentication failed"/, transcript(result));
    assert.equal(result.stdout, '', 'nothing after the token request ran');
  });

  it('a missing client id stops each example before any request, naming the variable', async () => {
    const { TESSERA_CLIENT_ID: _omitted, ...withoutId } = ex.env;
    const sdk = await ex.sdk(withoutId);
    assert.notEqual(sdk.code, 0, transcript(sdk));
    assert.match(sdk.stderr, /Error: Set TESSERA_CLIENT_ID and TESSERA_CLIENT_SECRET/, transcript(sdk));
    if (!curlSkip) {
      const curl = await ex.curl(withoutId);
      assert.notEqual(curl.code, 0, transcript(curl));
      assert.match(
        curl.stderr,
        /TESSERA_CLIENT_ID: set it to management\.client_id of data\/first-run\.json/,
      );
    }
  });
});

/**
 * The same blocks against a production-like server: https with a certificate the machine trusts (the
 * reader's NODE_EXTRA_CA_CERTS / CURL_CA_BUNDLE), a domain that is not `localhost`. No setting of the
 * examples changes: the SDK's own https requests and default audience are the right ones.
 */
describe('the deploy examples of docs/management-api.md, on an https server', () => {
  let cert: Certificate;
  let h: ManagementHarness;
  let ex: Examples;

  before(async () => {
    cert = await localhostCertificate({ trust: true });
    const port = await freePort();
    const domain = `127.0.0.1:${port}`;
    h = await startManagement({
      PORT: String(port),
      TESSERA_DOMAIN: domain,
      TESSERA_TLS_CERT_FILE: cert.certFile,
      TESSERA_TLS_KEY_FILE: cert.keyFile,
    });
    assert.equal(h.issuer, `https://${domain}/`);
    const trust = { NODE_EXTRA_CA_CERTS: cert.certFile, CURL_CA_BUNDLE: cert.certFile };
    ex = await exampleFolder({ dataDir: h.server.env.TESSERA_DATA_DIR!, domain }, trust);
  });
  after(async () => {
    await h?.stop();
    await ex?.remove();
    await cert?.remove();
  });

  it('both examples deploy and bind their action unchanged', async () => {
    const check = checks(h);
    const sdk = await ex.sdk();
    assert.equal(sdk.code, 0, transcript(sdk));
    await check.assertDeployedOnce(SDK.name);
    if (!curlSkip) {
      const curl = await ex.curl();
      assert.equal(curl.code, 0, transcript(curl));
      await check.assertDeployedOnce(CURL.name);
    }
    assert.deepEqual(await check.boundActions(), [
      ['Roles and plan (sdk)', SDK.name],
      ...(curlSkip ? [] : [['Roles and plan (curl)', CURL.name]]),
    ]);
  });
});

describe('copying an example out of the page', () => {
  it('names a missing heading or block, so an edit of the page fails the test instead of running nothing', () => {
    const page = '## Deploy\n\nprose\n\n## Next\n\n```js\nnot this one\n```\n';
    assert.throws(() => codeBlockUnder(page, 'Undocumented', 'js'), /^Error: no heading "## Undocumented"$/);
    assert.throws(
      () => codeBlockUnder(page, 'Deploy', 'js'),
      /^Error: no complete ```js block under "## Deploy"$/,
    );
    assert.throws(
      () => codeBlockUnder('## Deploy\n```sh\nunclosed\n', 'Deploy', 'sh'),
      /no complete ```sh block/,
    );
    assert.equal(codeBlockUnder(page, 'Next', 'js'), 'not this one\n');
  });
});
