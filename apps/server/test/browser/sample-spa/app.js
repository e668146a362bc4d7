// A single-page app as an Auth0 SPA SDK would drive it: authorization code + PKCE (RFC 7636, S256) with
// WebCrypto, then a cross-origin form POST to /oauth/token that the browser lets the page read only when
// Tessera answers with CORS headers for this origin (the client's web_origins). No library, no inline
// script: the page's own CSP allows scripts from itself and connections to the issuer only.
const { issuer, clientId } = document.documentElement.dataset;
const redirectUri = `${location.origin}/callback`;
const $ = (id) => document.getElementById(id);
// In memory only, as the SDKs keep it by default: a refresh token in storage is readable by any XSS.
let refreshToken;

const base64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const sha256 = (text) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));

function decodeJwtPayload(jwt) {
  const part = jwt.split('.')[1].replaceAll('-', '+').replaceAll('_', '/');
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function login() {
  const transaction = { verifier: randomString(), state: randomString(), nonce: randomString() };
  sessionStorage.setItem('transaction', JSON.stringify(transaction));
  const url = new URL('authorize', issuer);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    state: transaction.state,
    nonce: transaction.nonce,
    code_challenge: base64url(await sha256(transaction.verifier)),
    code_challenge_method: 'S256',
  });
  location.assign(url);
}

async function handleCallback() {
  const params = new URLSearchParams(location.search);
  const transaction = JSON.parse(sessionStorage.getItem('transaction') ?? 'null');
  sessionStorage.removeItem('transaction');
  if (params.has('error')) throw new Error(`${params.get('error')}: ${params.get('error_description')}`);
  if (transaction === null || params.get('state') !== transaction.state) throw new Error('state mismatch');
  // RFC 9207: the authorization response names its issuer (mix-up defence).
  if (params.has('iss') && params.get('iss') !== issuer)
    throw new Error(`unexpected iss ${params.get('iss')}`);

  const tokens = await tokenRequest({
    grant_type: 'authorization_code',
    client_id: clientId,
    code: params.get('code') ?? '',
    redirect_uri: redirectUri,
    code_verifier: transaction.verifier,
  });

  // The ID token came straight from the token endpoint over a connection to the issuer (OIDC Core
  // §3.1.3.7 point 6), so its claims are checked but its signature is not.
  const claims = decodeJwtPayload(tokens.id_token);
  if (claims.iss !== issuer) throw new Error(`ID token from ${claims.iss}`);
  if (![claims.aud].flat().includes(clientId)) throw new Error('ID token for another audience');
  if (claims.nonce !== transaction.nonce) throw new Error('nonce mismatch');

  // A bearer call with an Authorization header: a preflighted cross-origin request.
  const userinfo = await fetch(new URL('userinfo', issuer), {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  if (!userinfo.ok) throw new Error(`userinfo: ${userinfo.status}`);
  const profile = await userinfo.json();

  $('email').textContent = claims.email;
  $('userinfo-email').textContent = profile.email;
  $('access-token').textContent = tokens.access_token;
  $('profile').hidden = false;
  $('login').hidden = true;
  $('logout').hidden = false;
  $('refresh').hidden = refreshToken === undefined;
  $('status').textContent = 'Logged in';
}

/** A form-encoded POST (a CORS "simple" request: no preflight), as the SDKs send with useFormData. */
async function tokenRequest(parameters) {
  const response = await fetch(new URL('oauth/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(parameters),
  });
  const tokens = await response.json();
  if (!response.ok) throw new Error(`token endpoint: ${tokens.error}: ${tokens.error_description}`);
  refreshToken = tokens.refresh_token ?? refreshToken;
  return tokens;
}

async function refresh() {
  $('status').textContent = '';
  const tokens = await tokenRequest({
    grant_type: 'refresh_token',
    client_id: clientId,
    refresh_token: refreshToken,
  });
  $('access-token').textContent = tokens.access_token;
  $('status').textContent = 'Refreshed';
}

function logout() {
  const url = new URL('v2/logout', issuer);
  url.search = new URLSearchParams({ client_id: clientId, returnTo: `${location.origin}/` });
  location.assign(url);
}

$('login').addEventListener('click', () => login().catch(fail));
$('logout').addEventListener('click', logout);
$('refresh').addEventListener('click', () => refresh().catch(fail));
if (location.pathname === '/callback') handleCallback().catch(fail);

function fail(error) {
  $('status').textContent = `Error: ${error.message}`;
}
