import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, SignJWT } from 'jose';

/**
 * The Auth0 pattern for a post-login redirect, as a tenant writes it: before the redirect the action
 * records what it knows, signs a token for the site and sends the user there; on the way back
 * `onContinuePostLogin` validates the site's token (bound to the `/continue` state) and acts on it.
 */
export const TERMS_ACTION = `
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.terms_accepted === true) return;
  const started = new Date().toISOString();
  api.transaction.setMetadata('started', started);
  api.user.setAppMetadata('redirected_at', started);
  api.idToken.setCustomClaim('https://example.com/email', event.user.email);
  const token = api.redirect.encodeToken({
    secret: event.secrets.SHARED,
    payload: { email: event.user.email },
    expiresInSeconds: 300,
  });
  api.redirect.sendUserTo(event.secrets.TERMS_URL, { query: { session_token: token } });
};

exports.onContinuePostLogin = async (event, api) => {
  const answer = api.redirect.validateToken({ secret: event.secrets.SHARED, tokenParameterName: 'session_token' });
  api.user.setAppMetadata('terms_accepted', answer.accepted === true);
  api.idToken.setCustomClaim('https://example.com/terms', answer.accepted);
  api.idToken.setCustomClaim('https://example.com/started', event.transaction.metadata.started);
};
`;

export interface ExternalSite {
  /** http://127.0.0.1:<port> — another site than the issuer's `localhost`, as a real one would be. */
  url: string;
  /** The secret the site shares with the action (an action secret). */
  secret: string;
  /** Where its form posts back (`<issuer>continue`); set once the server is up. */
  issuer: string;
  /** What the site's form posts back for the page the browser was sent to: `state` and a signed token. */
  answer(away: URL, payload: Record<string, unknown>): Promise<Record<string, string>>;
  sign(claims: Record<string, unknown>, secret?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A terms-of-service site: `GET /terms?session_token&state` verifies Tessera's token and shows a form
 * that posts the user's answer to the issuer's `/continue`, with a session token its server signed
 * with HS256: `sub` and `iss` from the token it received, the `state` it was given.
 */
export async function startExternalSite(): Promise<ExternalSite> {
  const secret = randomBytes(32).toString('base64url');
  const key = (value: string) => new TextEncoder().encode(value);
  const sign = (claims: Record<string, unknown>, with_ = secret) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key(with_));
  const answer = async (away: URL, payload: Record<string, unknown>) => {
    const state = away.searchParams.get('state') ?? '';
    const { payload: received } = await jwtVerify(away.searchParams.get('session_token') ?? '', key(secret));
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({
      ...payload,
      sub: received.sub,
      iss: received.iss,
      iat: now,
      exp: now + 120,
      state,
    });
    return { state, session_token: token };
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/terms') {
      response.writeHead(404).end();
      return;
    }
    answer(url, { accepted: true })
      .then((fields) => {
        const inputs = Object.entries(fields)
          .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
          .join('');
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
          `<!doctype html><title>Terms</title><h1>Terms of service</h1>
           <form method="post" action="${site.issuer}continue">${inputs}<button id="accept">I accept</button></form>`,
        );
      })
      .catch(() => response.writeHead(400).end('bad token'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const site: ExternalSite = {
    url: `http://127.0.0.1:${port}`,
    secret,
    issuer: '',
    answer,
    sign,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return site;
}
