// Actions written the way tenants write them, checked by tsc against types/post-login.d.ts in
// typing.test.ts. Kept as strings: as files they would join this package's own typecheck, where
// `./post-login` does not resolve and the wrong usages are meant to fail. In WRONG_* sources every
// line marked `// ✗` must fail to compile, and no other line may.

/** Every api method with arguments taken from Auth0's documentation, and every event field read. */
export const GOOD_TS = `
import type {
  API,
  Event,
  OnContinuePostLogin,
  OnExecutePostLogin,
  PostLoginEvent,
  PostLoginHandlers,
} from './post-login';

export const onExecutePostLogin: OnExecutePostLogin = async (event, api) => {
  const ns = 'https://example.com';
  if (event.request.geoip.countryCode === 'KP') api.access.deny('Not available in your region.');
  api.idToken.setCustomClaim(ns + '/roles', event.authorization.roles).accessToken.setCustomClaim(ns + '/plan', event.user.app_metadata.plan);
  api.accessToken.addScope('read:reports').accessToken.removeScope('admin');
  api.user.setAppMetadata('country', event.request.geoip.countryName ?? null).user.setUserMetadata('seen', true);
  api.multifactor.enable('any', { allowRememberBrowser: false });
  api.multifactor.enable('duo', { providerOptions: { host: 'api-1.duosecurity.com', ikey: 'i', skey: 's' } });
  api.authentication.challengeWith(
    { type: 'otp' },
    { additionalFactors: [{ type: 'push-notification', options: { otpFallback: false } }, { type: 'phone', options: { preferredMethod: 'sms' } }] },
  );
  api.authentication.challengeWithAny([{ type: 'webauthn-platform' }, { type: 'email' }]);
  api.authentication.enrollWith({ type: 'webauthn-roaming' }, { additionalFactors: [{ type: 'recovery-code' }] });
  api.authentication.enrollWithAny([{ type: 'otp' }, { type: 'push-notification' }]);
  api.authentication.setPrimaryUser('auth0|primary');
  const cached = api.cache.get('token');
  const value: string | undefined = cached?.value;
  const expiresAt: number | undefined = cached?.expires_at;
  const written = api.cache.set('token', 'abc', { ttl: 60_000 });
  const code: string | undefined = written.type === 'error' ? written.code : undefined;
  api.cache.set('other', 'x', { expires_at: Date.now() + 1000 });
  if (api.cache.delete('token').type === 'success' && value && expiresAt && code) return;
  if (api.redirect.canRedirect()) {
    const token: string = api.redirect.encodeToken({ secret: event.secrets.REDIRECT_SECRET, payload: { email: event.user.email }, expiresInSeconds: 300 });
    api.redirect.sendUserTo('https://example.com/verify', { query: { session_token: token } });
  }
  api.prompt.render('ap_123', { vars: { plan: 'pro' }, fields: { nickname: event.user.nickname } });
  if (api.rules.wasExecuted('rul_1')) return;
  api.samlResponse.setAttribute('email', event.user.email).samlResponse.setAttribute('groups', ['a', 'b']);
  api.samlResponse.setAttribute('removed', null);
  api.samlResponse.setAudience('urn:sp').samlResponse.setRecipient('https://sp/acs');
  api.samlResponse.setCreateUpnClaim(false);
  api.samlResponse.setPassthroughClaimsWithNoMapping(false);
  api.samlResponse.setMapUnknownClaimsAsIs(true);
  api.samlResponse.setMapIdentities(false);
  api.samlResponse.setSignatureAlgorithm('rsa-sha1');
  api.samlResponse.setDigestAlgorithm('sha1');
  api.samlResponse.setDestination('https://sp/acs');
  api.samlResponse.setLifetimeInSeconds(600);
  api.samlResponse.setSignResponse(true);
  api.samlResponse.setNameIdentifierFormat('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
  api.samlResponse.setNameIdentifierProbes(['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress']);
  api.samlResponse.setAuthnContextClassRef('urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport');
  api.samlResponse.setSigningCert('-----BEGIN CERTIFICATE-----');
  api.samlResponse.setIncludeAttributeNameFormat(false);
  api.samlResponse.setTypedAttributes(false);
  api.samlResponse.setEncryptionCert('-----BEGIN CERTIFICATE-----');
  api.samlResponse.setEncryptionPublicKey('-----BEGIN PUBLIC KEY-----');
  api.samlResponse.setCert('-----BEGIN CERTIFICATE-----');
  api.samlResponse.setKey(event.secrets.SAML_KEY);
  api.samlResponse.setRelayState('relay');
  api.samlResponse.setIssuer('urn:acme');
  api.session.setExpiresAt(Date.now() + 3_600_000);
  api.session.setIdleExpiresAt(Date.now() + 600_000);
  api.session.setCookieMode('non-persistent');
  api.session.setMetadata('k', 'v').session.setMetadata('gone', null).session.deleteMetadata('k').session.evictMetadata();
  if (event.session?.metadata.flag === 'revoke') api.session.revoke('bye', { preserveRefreshTokens: true });
  if (event.transaction.protocol === 'oauth2-refresh-token') {
    api.refreshToken.setExpiresAt(Date.now() + 86_400_000);
    api.refreshToken.setIdleExpiresAt(Date.now() + 3_600_000);
    if (event.refresh_token?.device.last_ip !== event.request.ip) api.refreshToken.revoke('IP changed');
  }
  api.transaction.setMetadata('step', 2).transaction.setMetadata('ok', true).transaction.setMetadata('gone', null);
  if (!event.user.email?.endsWith('@example.com')) api.validation.error('invalid_email', 'Use your work email');
};

export const onContinuePostLogin: OnContinuePostLogin = async (event, api) => {
  const payload = api.redirect.validateToken({ secret: event.secrets.REDIRECT_SECRET, tokenParameterName: 'session_token' });
  api.user.setUserMetadata('verified', payload.verified);
  api.authentication.recordMethod('https://example.com/custom-mfa');
  if (event.prompt?.fields.accepted !== true) api.access.deny('Terms not accepted');
};

export const handlers: PostLoginHandlers = { onExecutePostLogin, onContinuePostLogin };
export const sameApi = (api: API) => api.rules.wasExecuted('x');

/** Reads every field of the event: renaming one in the declaration breaks this file. */
export function everyField(event: Event, alias: PostLoginEvent): unknown[] {
  const { user, request, transaction, session, refresh_token: rt } = event;
  return [
    alias === event,
    user.user_id, user.username, user.email, user.email_verified, user.phone_number, user.phone_verified,
    user.name, user.given_name, user.family_name, user.nickname, user.picture, user.user_metadata,
    user.app_metadata, user.created_at, user.updated_at, user.last_password_reset,
    user.identities.map((i) => [i.connection, i.provider, i.user_id, i.isSocial, i.profileData]),
    user.multifactor.join(), user.enrolledFactors.map((f) => [f.type === 'otp', f.options]),
    event.client.client_id, event.client.name, event.client.metadata,
    event.connection.id, event.connection.name, event.connection.strategy, event.connection.metadata,
    event.organization?.id, event.organization?.name, event.organization?.display_name, event.organization?.metadata,
    event.resource_server?.identifier, event.tenant.id, event.stats.logins_count + 1,
    event.authorization.roles.includes('admin'), event.secrets.X, event.configuration.Y,
    request.ip, request.hostname, request.method, request.language, request.user_agent, request.query, request.body,
    request.geoip.countryCode, request.geoip.countryCode3, request.geoip.countryName, request.geoip.cityName,
    request.geoip.latitude, request.geoip.longitude, request.geoip.timeZone, request.geoip.subdivisionCode,
    request.geoip.subdivisionName, request.geoip.continentCode,
    transaction.id, transaction.locale, transaction.protocol, transaction.requested_scopes, transaction.acr_values,
    transaction.ui_locales, transaction.redirect_uri, transaction.prompt, transaction.login_hint,
    transaction.response_mode, transaction.response_type, transaction.state, transaction.metadata,
    event.authentication.methods.map((m) => [m.name === 'pwd', m.timestamp]),
    session?.id, session?.user_id, session?.created_at, session?.updated_at, session?.authenticated_at,
    session?.last_interacted_at, session?.idle_expires_at, session?.expires_at,
    session?.clients.map((c) => c.client_id), session?.cookie.mode, session?.metadata,
    session?.device.initial_ip, session?.device.initial_user_agent, session?.device.last_ip, session?.device.last_user_agent,
    rt?.id, rt?.session_id, rt?.user_id, rt?.client_id, rt?.rotating,
    rt?.resource_servers.map((r) => [r.audience, r.scopes]), rt?.created_at, rt?.expires_at,
    rt?.idle_expires_at, rt?.last_exchanged_at, rt?.metadata, rt?.device,
    event.prompt?.id, event.prompt?.fields,
  ];
}
`;

/** Plain JavaScript with JSDoc, as in Auth0's editor. */
export const GOOD_JS = `// @ts-check
/**
 * @param {import('./post-login').Event} event
 * @param {import('./post-login').PostLoginAPI} api
 */
exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email_verified) api.access.deny('Please verify your email first.');
  api.idToken.setCustomClaim('https://example.com/roles', event.authorization.roles);
  api.samlResponse.setSignatureAlgorithm('rsa-sha256');
};

/** @type {import('./post-login').OnContinuePostLogin} */
exports.onContinuePostLogin = async (event, api) => {
  api.user.setAppMetadata('verified_at', event.authentication.methods[0]?.timestamp ?? null);
};
`;

export const WRONG_TS = `import type { Event, PostLoginAPI } from './post-login';
export async function onExecutePostLogin(event: Event, api: PostLoginAPI) {
  api.idToken.setCustomClaim(); // ✗ key and value are required
  api.samlResponse.setSignatureAlgorithm('md5'); // ✗ rsa-sha256 or rsa-sha1 only
  void event.user.nope; // ✗ not a field of event.user
  api.authentication.challengeWith({ type: 'sms' }); // ✗ not a factor type
  api.session.setCookieMode('forever'); // ✗ persistent or non-persistent
  api.multifactor.enable('authy'); // ✗ not a provider
  const value: string = api.cache.get('k').value; // ✗ get may return undefined
  api.cache.set('k', 1); // ✗ cache values are strings
  api.transaction.setMetadata('k', { nested: true }); // ✗ string, number or boolean only
  api.session.setMetadata('k', 1); // ✗ session metadata values are strings
  if (event.transaction.protocol === 'oauth1') return; // ✗ not a protocol
  api.redirect.sendUserTo(); // ✗ url is required
  void event.organization.id; // ✗ organization may be absent
  api.refreshToken.setExpiresAt(new Date()); // ✗ ms since the epoch
  api.samlResponse.setLifetimeInSeconds('3600'); // ✗ a number
  api.rules.wasExecuted(); // ✗ rule id is required
  return value;
}
`;

export const WRONG_JS = `// @ts-check
/**
 * @param {import('./post-login').Event} event
 * @param {import('./post-login').PostLoginAPI} api
 */
exports.onExecutePostLogin = async (event, api) => {
  api.access.deny(); // ✗ reason is required
  api.samlResponse.setDigestAlgorithm('md5'); // ✗ sha256 or sha1 only
  return event.user.nope; // ✗ not a field of event.user
};
`;
