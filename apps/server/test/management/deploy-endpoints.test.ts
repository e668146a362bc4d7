import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MANAGEMENT_SCOPES } from '@tessera/core';
import { assertAuth0Error, DOMAIN, type ManagementHarness, startManagement } from './helpers.ts';

// The tenant configuration Auth0's deploy CLI (auth0-deploy-cli 8.44, through the `auth0` SDK's
// ManagementClient) reads on every export and import, here driven with the SDK 7.1.0 and raw HTTP:
// Auth0's shapes where Tessera has the concept, empty lists or Auth0's "not available" answers where
// it has not (docs/management-api.md#where-the-management-api-differs-from-auth0).

const BRUTE_FORCE_DEFAULTS = {
  enabled: true,
  shields: ['block'],
  allowlist: [],
  mode: 'count_per_identifier_and_ip',
  max_attempts: 10,
} as const;
const SUSPICIOUS_IP_DEFAULTS = {
  enabled: true,
  shields: ['block'],
  allowlist: [],
  stage: {
    'pre-login': { max_attempts: 100, rate: 864_000 },
    'pre-user-registration': { max_attempts: 20, rate: 45_000 },
  },
};
const BREACHED_PASSWORD_DEFAULTS = {
  enabled: false,
  shields: [],
  admin_notification_frequency: [],
  method: 'standard' as const,
  stage: { 'pre-user-registration': { shields: [] }, 'pre-change-password': { shields: [] } },
};

describe('the Management API endpoints auth0-deploy-cli reads on every run', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  it('brute-force protection: Tessera’s limits in Auth0’s shape; a PATCH merges and is read back', async () => {
    const bruteForce = h.management.attackProtection.bruteForceProtection;
    assert.deepEqual(await bruteForce.get(), BRUTE_FORCE_DEFAULTS);
    const updated = await bruteForce.update({
      max_attempts: 5,
      allowlist: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'],
    });
    const expected = {
      ...BRUTE_FORCE_DEFAULTS,
      max_attempts: 5,
      allowlist: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'],
    };
    assert.deepEqual(updated, expected);
    // Auth0's deploy CLI writes back what it read: the same object is accepted as is.
    assert.deepEqual(await bruteForce.update({ ...expected, shields: ['block', 'user_notification'] }), {
      ...expected,
      shields: ['block', 'user_notification'],
    });
    await bruteForce.update({ enabled: false });
    assert.deepEqual(await bruteForce.get(), {
      ...expected,
      enabled: false,
      shields: ['block', 'user_notification'],
    });
    await h.call('PATCH', '/attack-protection/brute-force-protection', { body: BRUTE_FORCE_DEFAULTS });
    assert.deepEqual(await bruteForce.get(), BRUTE_FORCE_DEFAULTS);
  });

  it('refuses a bad brute-force body with Auth0’s error body, and changes nothing', async () => {
    const path = '/attack-protection/brute-force-protection';
    const bad: [unknown, RegExp][] = [
      [{ max_attempts: 0 }, /max_attempts/],
      [{ max_attempts: 101 }, /max_attempts/],
      [{ max_attempts: '5' }, /'Expected type integer but found type string' on property max_attempts/],
      [{ enabled: true, lockout: 1 }, /Additional properties not allowed: lockout/],
      [{ shields: ['block', 'block'] }, /shields/],
      [{ shields: ['captcha'] }, /'No enum match for: "captcha"' on property shields\.0/],
      [{ allowlist: ['300.1.1.1'] }, /Not an IPv4 or IPv6 address or CIDR range: "300\.1\.1\.1"/],
      [{ allowlist: ['10.0.0.0/33'] }, /10\.0\.0\.0\/33/],
      [{ allowlist: ['example.com'] }, /example\.com/],
      [{ mode: 'count_per_identifier' }, /count_per_identifier is not supported.*docs\/security\.md#42/],
      [{ mode: 'per_ip' }, /No enum match/],
    ];
    for (const [body, message] of bad) {
      assertAuth0Error(await h.call('PATCH', path, { body }), 400, 'invalid_body', message);
    }
    assertAuth0Error(await h.call('PATCH', path, { raw: '{"enabled":' }), 400, 'invalid_body');
    assert.deepEqual((await h.call('GET', path)).body, BRUTE_FORCE_DEFAULTS);
  });

  it('suspicious IP throttling: Tessera’s per-IP budgets in Auth0’s stages; a stage field merges', async () => {
    const throttling = h.management.attackProtection.suspiciousIpThrottling;
    assert.deepEqual(await throttling.get(), SUSPICIOUS_IP_DEFAULTS);
    const updated = await throttling.update({
      shields: ['block', 'admin_notification'],
      stage: { 'pre-login': { max_attempts: 50 } },
    });
    assert.deepEqual(updated, {
      ...SUSPICIOUS_IP_DEFAULTS,
      shields: ['block', 'admin_notification'],
      stage: { ...SUSPICIOUS_IP_DEFAULTS.stage, 'pre-login': { max_attempts: 50, rate: 864_000 } },
    });
    const path = '/attack-protection/suspicious-ip-throttling';
    for (const body of [
      { stage: { 'pre-login': { rate: 1000 } } },
      { stage: { 'pre-login': { max_attempts: 2501 } } },
      { stage: { 'post-login': { max_attempts: 5 } } },
      { shields: ['user_notification'] },
      { allowlist: ['::1/129'] },
    ]) {
      assertAuth0Error(await h.call('PATCH', path, { body }), 400, 'invalid_body');
    }
    await h.call('PATCH', path, { body: SUSPICIOUS_IP_DEFAULTS });
    assert.deepEqual((await h.call('GET', path)).body, SUSPICIOUS_IP_DEFAULTS);
  });

  it('breached password detection is off and keeps its configuration; enabling it is refused', async () => {
    const detection = h.management.attackProtection.breachedPasswordDetection;
    assert.deepEqual(await detection.get(), BREACHED_PASSWORD_DEFAULTS);
    assert.deepEqual(await detection.update(BREACHED_PASSWORD_DEFAULTS), BREACHED_PASSWORD_DEFAULTS);
    const configured = await detection.update({ shields: ['admin_notification'], method: 'enhanced' });
    assert.deepEqual(configured, {
      ...BREACHED_PASSWORD_DEFAULTS,
      shields: ['admin_notification'],
      method: 'enhanced',
    });
    const path = '/attack-protection/breached-password-detection';
    assertAuth0Error(
      await h.call('PATCH', path, { body: { enabled: true, shields: ['block'] } }),
      403,
      'feature_not_enabled',
      /Breached password detection is not available in Tessera/,
    );
    assert.deepEqual((await h.call('GET', path)).body, configured, 'the refused PATCH changed nothing');
  });

  it('bot detection, CAPTCHA, supplemental signals and risk assessment answer as Auth0 does without them', async () => {
    for (const path of [
      '/attack-protection/bot-detection',
      '/attack-protection/captcha',
      '/supplemental-signals',
    ]) {
      assertAuth0Error(await h.call('GET', path), 403, 'feature_not_enabled', /not available in Tessera/);
      assertAuth0Error(
        await h.call('PATCH', path, { body: { akamai_enabled: true } }),
        403,
        'feature_not_enabled',
      );
    }
    assertAuth0Error(await h.call('GET', '/risk-assessments/settings'), 404, 'not_found', /not available/);
    assertAuth0Error(await h.call('GET', '/risk-assessments/settings/new-device'), 404, 'not_found');
    // What the deploy CLI exports after that 404, written back: the state Tessera is in.
    assert.deepEqual(await h.management.riskAssessments.settings.update({ enabled: false }), {
      enabled: false,
    });
    assertAuth0Error(
      await h.call('PATCH', '/risk-assessments/settings', { body: { enabled: true } }),
      403,
      'feature_not_enabled',
    );
    assertAuth0Error(
      await h.call('PATCH', '/risk-assessments/settings/new-device', { body: { remember_for: 30 } }),
      403,
      'feature_not_enabled',
    );
  });

  it('needs Auth0’s scopes, which the first-run client and the system API hold', async () => {
    const reader = await h.tokenWith(['read:attack_protection']);
    const path = '/attack-protection/brute-force-protection';
    assertAuth0Error(
      await h.call('GET', path, { token: await h.tokenWith(['read:users']) }),
      403,
      'insufficient_scope',
      /^Insufficient scope, expected any of: read:attack_protection$/,
    );
    assert.equal((await h.call('GET', path, { token: reader })).status, 200);
    assertAuth0Error(
      await h.call('PATCH', path, { token: reader, body: { max_attempts: 3 } }),
      403,
      'insufficient_scope',
      /update:attack_protection/,
    );
    assert.equal((await h.call('GET', path)).body.max_attempts, 10, 'nothing changed');

    const needed = [
      'read:attack_protection',
      'update:attack_protection',
      'read:custom_domains',
      'update:custom_domains',
      'read:mfa_policies',
      'update:mfa_policies',
      'read:prompts',
      'update:prompts',
      'read:branding',
      'read:email_provider',
      'read:email_templates',
      'read:phone_providers',
      'read:phone_templates',
      'read:rules',
      'read:rules_configs',
      'read:hooks',
      'read:log_streams',
      'read:event_streams',
      'read:flows',
      'read:flows_vault_connections',
      'read:organizations',
      'read:network_acls',
      'read:self_service_profiles',
      'read:user_attribute_profiles',
      'read:connection_profiles',
      'read:token_exchange_profiles',
      'read:directory_provisionings',
    ];
    const system = await h.server.storage.resourceServers.findByIdentifier(h.tenantId, h.audience);
    const declared = new Set(system?.scopes.map((scope) => scope.value));
    const { grants } = await h.server.storage.clientGrants.list(h.tenantId, {
      clientId: h.server.firstRun.created!.clientId,
      audience: h.audience,
      take: 1,
    });
    for (const scope of needed) {
      assert.ok((MANAGEMENT_SCOPES as readonly string[]).includes(scope), scope);
      assert.ok(declared.has(scope), `the system API declares ${scope}`);
      assert.ok(grants[0]?.scope.includes(scope), `the first-run client holds ${scope}`);
    }
  });

  it('custom domains: the tenant’s other domains (never its own), read-only through the API', async () => {
    // The primary domain is the tenant's own (what AUTH0_DOMAIN names), not a custom one, as on Auth0.
    assert.deepEqual(await h.management.customDomains.list(), []);
    await h.server.storage.tenants.addDomain(h.tenantId, 'login.example.com');
    await h.server.storage.tenants.addDomain(h.tenantId, 'auth.example.com');
    const listed = (await h.call('GET', '/custom-domains')).body;
    assert.deepEqual(
      listed.map((d: { domain: string; primary: boolean }) => [d.domain, d.primary]),
      [
        ['login.example.com', false],
        ['auth.example.com', false],
      ],
    );
    const second = listed[0];
    assert.deepEqual(second, {
      custom_domain_id: second.custom_domain_id,
      domain: 'login.example.com',
      primary: false,
      status: 'ready',
      type: 'self_managed_certs',
    });
    assert.match(String(second.custom_domain_id), /^cd_[0-9a-f]{16}$/);
    assert.deepEqual(await h.management.customDomains.get(second.custom_domain_id), second);
    assert.deepEqual((await h.call('GET', '/custom-domains?fields=domain&include_fields=true')).body, [
      { domain: 'login.example.com' },
      { domain: 'auth.example.com' },
    ]);
    assert.deepEqual(
      (await h.call('GET', '/custom-domains?sort=domain:1')).body.map((d: { domain: string }) => d.domain),
      ['auth.example.com', 'login.example.com'],
    );
    assertAuth0Error(await h.call('GET', '/custom-domains?q=domain:x'), 400, 'invalid_query_string');
    assertAuth0Error(await h.call('GET', '/custom-domains?sort=status:1'), 400, 'invalid_query_string');
    for (const id of ['cd_0000000000000000', idOfPrimary()]) {
      assertAuth0Error(await h.call('GET', `/custom-domains/${id}`), 404, 'inexistent_custom_domain');
    }

    // The deploy CLI's update of a domain it matched: every field it sends is read-only, so nothing.
    const path = `/custom-domains/${second.custom_domain_id}`;
    assert.deepEqual((await h.call('PATCH', path, { body: {} })).body, second);
    const operator = /operator's configuration/;
    assertAuth0Error(
      await h.call('PATCH', path, { body: { tls_policy: 'recommended' } }),
      403,
      'feature_not_enabled',
      operator,
    );
    // Creating a domain the tenant already serves (an import of the same configuration) answers it;
    // any other domain is the operator's to add.
    const again = await h.call('POST', '/custom-domains', {
      body: { domain: 'LOGIN.example.com', type: 'self_managed_certs' },
    });
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, second);
    for (const body of [{ domain: 'evil.example.com', type: 'self_managed_certs' }, { type: 'x' }, []]) {
      assertAuth0Error(
        await h.call('POST', '/custom-domains', { body }),
        403,
        'feature_not_enabled',
        operator,
      );
    }
    assertAuth0Error(await h.call('DELETE', path), 403, 'feature_not_enabled', operator);
    assert.equal((await h.call('GET', '/custom-domains')).body.length, 2, 'nothing added, nothing removed');
    assert.equal(await h.server.storage.tenants.findByDomain('evil.example.com'), undefined);
  });

  it('guardian policies: none (post-login actions ask for MFA); only that is accepted', async () => {
    assert.deepEqual(await h.management.guardian.policies.list(), []);
    assert.deepEqual(await h.management.guardian.policies.set([]), []);
    assertAuth0Error(
      await h.call('PUT', '/guardian/policies', { body: ['all-applications'] }),
      403,
      'feature_not_enabled',
      /api\.multifactor\.enable/,
    );
    assertAuth0Error(await h.call('PUT', '/guardian/policies', { body: ['always'] }), 400, 'invalid_body');
    assertAuth0Error(
      await h.call('PUT', '/guardian/policies', { body: { policies: [] } }),
      400,
      'invalid_body',
    );
    assert.deepEqual((await h.call('GET', '/guardian/policies')).body, []);
  });

  it('prompts: what Tessera’s login page is; no custom text, partials or rendering', async () => {
    const settings = {
      universal_login_experience: 'new',
      identifier_first: false,
      webauthn_platform_first_factor: false,
    } as const;
    assert.deepEqual(await h.management.prompts.getSettings(), settings);
    assert.deepEqual(await h.management.prompts.updateSettings(settings), settings);
    assertAuth0Error(
      await h.call('PATCH', '/prompts', { body: { identifier_first: true } }),
      403,
      'feature_not_enabled',
      /identifier_first true is not available in Tessera/,
    );
    assertAuth0Error(
      await h.call('PATCH', '/prompts', { body: { identifier_first: 'yes' } }),
      400,
      'invalid_body',
    );
    assert.deepEqual(await h.management.prompts.customText.get('login', 'en'), {});
    await h.management.prompts.customText.set('login', 'en', {});
    assertAuth0Error(
      await h.call('PUT', '/prompts/login/custom-text/en', { body: { login: { title: 'Welcome' } } }),
      403,
      'feature_not_enabled',
    );
    assertAuth0Error(await h.call('GET', '/prompts/login/custom-text/EN_us'), 400, 'invalid_uri');
    assert.deepEqual(await h.management.prompts.partials.get('login'), {});
    const rendering = await h.management.prompts.rendering.list({ include_totals: true });
    assert.deepEqual(rendering.data, []);
    assert.deepEqual((await h.call('GET', '/prompts/rendering?include_totals=true&per_page=10')).body, {
      configs: [],
      start: 0,
      limit: 10,
      total: 0,
    });
  });

  it('branding, themes, phone providers and email: nothing configured, and configuring is refused', async () => {
    assert.deepEqual(await h.management.branding.get(), {});
    assert.deepEqual(await h.management.branding.update({}), {});
    assertAuth0Error(
      await h.call('PATCH', '/branding', { body: { colors: { primary: '#000000' } } }),
      403,
      'feature_not_enabled',
    );
    assertAuth0Error(await h.call('GET', '/branding/templates/universal-login'), 404, 'inexistent_template');
    assertAuth0Error(await h.call('GET', '/branding/themes/default'), 404, 'inexistent_theme');
    assert.deepEqual(await h.management.branding.phone.providers.list(), { providers: [] });
    assert.deepEqual(await h.management.branding.phone.templates.list(), { templates: [] });
    assertAuth0Error(
      await h.call('POST', '/branding/phone/providers', { body: { name: 'twilio', credentials: {} } }),
      403,
      'feature_not_enabled',
    );

    assertAuth0Error(
      await h.call('GET', '/emails/provider'),
      404,
      'inexistent_email_provider',
      /sends no email/,
    );
    assertAuth0Error(
      await h.call('POST', '/emails/provider', { body: { name: 'smtp', credentials: {} } }),
      403,
      'feature_not_enabled',
    );
    assertAuth0Error(await h.call('GET', '/email-templates/verify_email'), 404, 'inexistent_email_template');
    assertAuth0Error(await h.call('GET', '/email-templates/newsletter'), 400, 'invalid_uri');
    assertAuth0Error(
      await h.call('PATCH', '/email-templates/welcome_email', { body: { enabled: true } }),
      403,
      'feature_not_enabled',
    );
  });

  it('resources Tessera has not: empty lists in Auth0’s paging shapes, creates refused, items inexistent', async () => {
    const m = h.management;
    const lists: [string, () => Promise<{ data: unknown[] }>][] = [
      ['rules', () => m.rules.list()],
      ['hooks', () => m.hooks.list()],
      ['flows', () => m.flows.list()],
      ['flows vault connections', () => m.flows.vault.connections.list()],
      ['organizations', () => m.organizations.list()],
      ['network ACLs', () => m.networkAcls.list()],
      ['self-service profiles', () => m.selfServiceProfiles.list()],
      ['user attribute profiles', () => m.userAttributeProfiles.list()],
      ['connection profiles', () => m.connectionProfiles.list()],
      ['token exchange profiles', () => m.tokenExchangeProfiles.list()],
      ['event streams', () => m.eventStreams.list()],
      ['action modules', () => m.actions.modules.list()],
      ['directory provisionings', () => m.connections.directoryProvisioning.list()],
    ];
    for (const [name, list] of lists) {
      const page = await list();
      assert.deepEqual(page.data, [], name);
    }
    assert.deepEqual(await m.rulesConfigs.list(), []);
    assert.deepEqual(await m.logStreams.list(), []);

    const raw = async (path: string) => (await h.call('GET', path)).body;
    assert.deepEqual(await raw('/rules'), []);
    assert.deepEqual(await raw('/rules?include_totals=true&page=2&per_page=100'), {
      rules: [],
      start: 200,
      limit: 100,
      total: 0,
    });
    assert.deepEqual(await raw('/organizations?include_totals=true&take=50'), { organizations: [] });
    assert.deepEqual(await raw('/organizations?include_totals=true'), {
      organizations: [],
      start: 0,
      limit: 50,
      total: 0,
    });
    assert.deepEqual(await raw('/event-streams?take=50'), { eventStreams: [] });
    assert.deepEqual(await raw('/actions/modules?page=0&per_page=100'), {
      modules: [],
      total: 0,
      page: 0,
      per_page: 100,
    });
    assertAuth0Error(await h.call('GET', '/rules?colour=red'), 400, 'invalid_query_string', /colour/);

    for (const [path, body] of [
      ['/rules', { name: 'legacy', script: 'function (user, context, cb) { cb(null, user, context); }' }],
      ['/hooks', { name: 'h', script: '', triggerId: 'credentials-exchange' }],
      ['/log-streams', { type: 'http', sink: { httpEndpoint: 'https://logs.example.com' } }],
      ['/organizations', { name: 'acme' }],
      ['/flows', { name: 'f' }],
    ] as const) {
      assertAuth0Error(
        await h.call('POST', path, { body }),
        403,
        'feature_not_enabled',
        /not available in Tessera/,
      );
    }
    assertAuth0Error(
      await h.call('PUT', '/rules-configs/API_KEY', { body: { value: 'x' } }),
      403,
      'feature_not_enabled',
    );
    assertAuth0Error(await h.call('GET', '/rules/rul_123'), 404, 'inexistent_rule');
    assertAuth0Error(await h.call('DELETE', '/organizations/org_123'), 404, 'inexistent_organization');
    assert.deepEqual(await raw('/rules'), [], 'nothing was created');
  });

  it('lists the read-only global client for is_global=true only, and every other client for is_global=false', async () => {
    const { client } = await h.server.storage.clients.create(h.tenantId, {
      name: 'Web',
      appType: 'regular_web',
    });
    const global = await h.management.clients.list({ is_global: true });
    assert.equal(global.data.length, 1);
    const all = global.data[0]!;
    assert.equal(all.global, true);
    assert.equal(all.name, 'All Applications');
    assert.equal(all.custom_login_page, undefined, 'no login page for the deploy CLI to export');
    assert.match(String(all.client_id), /^[A-Za-z0-9]{32}$/);
    assert.deepEqual(
      (await h.call('GET', '/clients?is_global=true&include_totals=true&page=0&per_page=100')).body,
      { clients: [all], start: 0, limit: 100, total: 1 },
    );
    assert.deepEqual((await h.call('GET', '/clients?is_global=true&page=1')).body, []);
    assert.deepEqual((await h.call('GET', `/clients/${all.client_id}`)).body, all, 'readable by its id');

    const notGlobal = await h.management.clients.list({ is_global: false, include_totals: true });
    const ids = notGlobal.data.map((c) => c.client_id);
    assert.ok(ids.includes(client.clientId));
    assert.ok(ids.includes(h.server.firstRun.created!.clientId));
    assert.ok(!ids.includes(all.client_id), 'the global client is not one of the applications');

    // A login page imported from an Auth0 tenant cannot be set: said, never silently dropped.
    const update = await h.call('PATCH', `/clients/${all.client_id}`, {
      body: { custom_login_page: '<html></html>', custom_login_page_on: true },
    });
    assert.equal(update.status === 400 || update.status === 403, true, JSON.stringify(update.body));
    assertAuth0Error(
      await h.call('PATCH', `/clients/${all.client_id}`, { body: { name: 'x' } }),
      403,
      'feature_not_enabled',
    );
    assertAuth0Error(await h.call('DELETE', `/clients/${all.client_id}`), 403, 'feature_not_enabled');
    assert.deepEqual((await h.call('GET', `/clients/${all.client_id}`)).body, all, 'unchanged');
  });
});

/** The id the primary domain would have if it were listed (custom-domains.ts derives ids from names). */
function idOfPrimary(): string {
  return `cd_${createHash('sha256').update(DOMAIN).digest('hex').slice(0, 16)}`;
}
