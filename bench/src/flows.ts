import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'undici';
import { Browser, postForm } from './browser.ts';
import type { LoadSpec, WebApp } from './spec.ts';

/**
 * The scope of the login scenarios: what an Auth0 regular web app asks by default. Without
 * `offline_access`, which Tessera (as Auth0) turns into a consent prompt that first-party apps pass
 * through one more redirect; the refresh chains ask for it once, at setup.
 */
export const LOGIN_SCOPE = 'openid profile email';
const OFFLINE_SCOPE = 'openid profile email offline_access';

/** One operation of a virtual user; `setup` runs once before the warmup, unmeasured. */
export interface VirtualUser {
  setup?(): Promise<void>;
  /** One operation; the SSO login answers with its token response (see `idTokenClaims`). */
  run(): Promise<unknown>;
}

/** The virtual user number `index` of a scenario. */
export function virtualUser(spec: LoadSpec, pool: Pool, index: number): VirtualUser {
  const user = () => spec.users![index % spec.users!.length]!;
  switch (spec.kind) {
    case 'password-login':
      // A new browser per flow: no session, so every flow shows the login page and checks a password.
      return {
        run: () =>
          codeFlow(new Browser(pool, spec.target), pool, spec, { credentials: user() }).then(() => {}),
      };
    case 'sso-login': {
      const browser = new Browser(pool, spec.target);
      return {
        setup: () => codeFlow(browser, pool, spec, { credentials: user() }).then(() => {}),
        run: () => codeFlow(browser, pool, spec, {}),
      };
    }
    case 'client-credentials':
      return {
        run: async () => {
          const tokens = await postForm(pool, spec.target, spec.tokenPath, spec.tokenForm!);
          expectJwt(tokens.access_token, spec.tokenForm!.audience ?? spec.tokenForm!.resource);
        },
      };
    case 'refresh':
      return refreshChain(spec, pool, user());
  }
}

/** Rotation: each request uses the refresh token the previous one returned. */
function refreshChain(spec: LoadSpec, pool: Pool, credentials: { username: string; password: string }) {
  const app = spec.app!;
  let refreshToken = '';
  return {
    async setup() {
      const browser = new Browser(pool, spec.target);
      const tokens = await codeFlow(browser, pool, spec, { credentials, scope: OFFLINE_SCOPE });
      if (typeof tokens.refresh_token !== 'string') throw new Error('the login gave no refresh token');
      refreshToken = tokens.refresh_token;
    },
    async run() {
      const tokens = await postForm(pool, spec.target, spec.tokenPath, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: app.clientId,
        client_secret: app.clientSecret,
      });
      if (typeof tokens.refresh_token !== 'string' || tokens.refresh_token === refreshToken)
        throw new Error('the refresh token was not rotated');
      if (typeof tokens.access_token !== 'string') throw new Error('no access token');
      refreshToken = tokens.refresh_token;
    },
  };
}

/**
 * authorize → (login page → POST credentials) → redirects → code → token exchange with PKCE (S256).
 * With `credentials` the login page must appear; without, the session must carry the flow through.
 */
export async function codeFlow(
  browser: Browser,
  pool: Pool,
  spec: LoadSpec,
  options: { credentials?: { username: string; password: string }; scope?: string },
): Promise<Record<string, unknown>> {
  const app: WebApp = spec.app!;
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const query = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    response_type: 'code',
    scope: options.scope ?? LOGIN_SCOPE,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  let { answer, url } = await browser.follow(`${spec.authorizePath}?${query}`);
  if (options.credentials) {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(answer.text)?.[1];
    const action = /<form[^>]+action="([^"]+)"/.exec(answer.text)?.[1]?.replaceAll('&amp;', '&');
    if (answer.status !== 200 || !csrf || !action)
      throw new Error(`expected the login page, got ${answer.status} at ${url.pathname}`);
    ({ answer, url } = await browser.follow(action, {
      method: 'POST',
      form: { _csrf: csrf, username: options.credentials.username, password: options.credentials.password },
    }));
  }
  const code = url.searchParams.get('code');
  if (!url.href.startsWith(app.redirectUri) || !code || url.searchParams.get('state') !== state) {
    throw new Error(`expected a code at the app, got ${answer.status} at ${url.href.slice(0, 120)}`);
  }
  const tokens = await postForm(pool, spec.target, spec.tokenPath, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: app.redirectUri,
    code_verifier: verifier,
    client_id: app.clientId,
    client_secret: app.clientSecret,
  });
  if (typeof tokens.id_token !== 'string' || typeof tokens.access_token !== 'string')
    throw new Error('the token response lacks an ID token or an access token');
  return tokens;
}

/**
 * The claims of a token response's ID token, read without verifying it (the server signed it a moment
 * ago; the bench only checks what the post-login actions put in it).
 */
export function idTokenClaims(tokens: unknown): Record<string, unknown> {
  const idToken = (tokens as { id_token?: unknown } | undefined)?.id_token;
  const payload = typeof idToken === 'string' ? idToken.split('.')[1] : undefined;
  if (payload === undefined) throw new Error('the token response has no ID token');
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

/** A signed JWT (three parts, an asymmetric alg) for the audience asked. */
function expectJwt(token: unknown, audience: string | undefined) {
  const [header, payload, signature] = typeof token === 'string' ? token.split('.') : [];
  if (!header || !payload || !signature) throw new Error('the access token is not a JWT');
  const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
  const { aud } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { aud?: unknown };
  if (alg !== 'RS256' || (Array.isArray(aud) ? !aud.includes(audience) : aud !== audience))
    throw new Error(`unexpected access token (alg ${alg}, aud ${JSON.stringify(aud)})`);
}
