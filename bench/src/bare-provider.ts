import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type JWK } from 'oidc-provider';
import type { Target } from './spec.ts';

export interface BareProvider {
  target: Target;
  tokenForm: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The client-credentials baseline: oidc-provider alone, as its README configures it (default memory
 * adapter, one static client, one RS256 key), issuing the same JWT access token as Tessera: RS256,
 * audience `audience`, scope `scope`. Its own port, in this process, on the same Node.
 */
export async function startBareProvider(audience: string, scope: string): Promise<BareProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = { client_id: 'bare-machine', client_secret: randomBytes(32).toString('base64url') };

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'bare' } as JWK;
  const provider = quietly(
    () =>
      new Provider(`http://localhost:${port}/`, {
        clients: [
          {
            ...client,
            grant_types: ['client_credentials'],
            redirect_uris: [],
            response_types: [],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        jwks: { keys: [jwk] },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        ttl: { ClientCredentials: 86_400 },
        features: {
          devInteractions: { enabled: false },
          clientCredentials: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => audience,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({
              scope,
              audience,
              accessTokenTTL: 86_400,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            }),
          },
        },
      }),
  );
  handler = provider.callback();
  return {
    target: { origin: `http://127.0.0.1:${port}`, host: `localhost:${port}` },
    tokenForm: { grant_type: 'client_credentials', ...client, resource: audience, scope },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** oidc-provider warns on stderr about its development-only memory adapter: expected here. */
function quietly<T>(make: () => T): T {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return make();
  } finally {
    console.warn = warn;
  }
}
