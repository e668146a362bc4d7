import { X509Certificate } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '@tessera/core';
import type { SigningKey, TokenSigningKey } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError, inexistent } from '../errors.ts';
import { arrayOf, BOOLEAN, object, STRING } from '../responses.ts';

const KID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['kid'],
  properties: { kid: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

const CERT_AND_KID = object({ cert: STRING, kid: STRING });
/** Auth0's signing key (toWire): the public certificate and the rotation state, never the key. */
const KEY = object({
  kid: STRING,
  cert: STRING,
  fingerprint: STRING,
  thumbprint: STRING,
  current: BOOLEAN,
  next: BOOLEAN,
  previous: BOOLEAN,
  revoked: BOOLEAN,
  current_since: STRING,
  current_until: STRING,
  revoked_at: STRING,
});

const notFound = () => inexistent('signing_key', 'Signing key not found');

/**
 * Auth0's application signing keys (`/keys/signing`): the tenant's token-signing keys through their
 * rotation states. Cookie keys are never shown (they are secrets, and Auth0 has no such keys here).
 * A rotation or revocation drops the tenant's built provider at once, so the next token is signed
 * with (or no longer verified by) the changed key; other processes notice within their re-check.
 */
export function keyRoutes(api: ManagementApi, { storage, invalidateTenant }: ManagementDeps): void {
  const signingKeys = async (tenantId: string) =>
    (await storage.signingKeys.list(tenantId, { includeRevoked: true })).filter(isTokenKey);

  api.get(
    '/keys/signing',
    { config: { scopes: ['read:signing_keys'] }, schema: { response: { 200: arrayOf(KEY) } } },
    async (request) => (await signingKeys(request.tenant.id)).map(toWire),
  );

  api.get(
    '/keys/signing/:kid',
    { config: { scopes: ['read:signing_keys'] }, schema: { params: KID_PARAMS, response: { 200: KEY } } },
    async (request) => {
      const key = (await signingKeys(request.tenant.id)).find((k) => k.kid === request.params.kid);
      if (!key) throw notFound();
      return toWire(key);
    },
  );

  api.post(
    '/keys/signing/rotate',
    {
      config: { scopes: ['create:signing_keys'], audit: 'Rotate the Application Signing Key' },
      schema: { response: { 201: CERT_AND_KID } },
    },
    async (request, reply) => {
      const keys = await storage.signingKeys.rotate(request.tenant.id, 'sig');
      invalidateTenant(request.tenant.id);
      // Auth0 documents the answer as "the next key"; it is the key that signs from now on (the key
      // that was `next` until this rotation), the one a caller wants to watch for in new tokens.
      const current = keys.find((key) => key.state === 'current');
      if (!current) throw new Error('a rotation left no current signing key');
      return reply.code(201).send(certAndKid(current));
    },
  );

  api.put(
    '/keys/signing/:kid/revoke',
    {
      config: { scopes: ['update:signing_keys'], audit: 'Revoke an Application Signing Key by its key id' },
      schema: { params: KID_PARAMS, response: { 200: CERT_AND_KID } },
    },
    async (request) => {
      // Cookie keys share the table (and the kid namespace) but are not signing keys: unknown here.
      const key = (await signingKeys(request.tenant.id)).find((k) => k.kid === request.params.kid);
      if (!key) throw notFound();
      try {
        const revoked = await storage.signingKeys.revoke(request.tenant.id, key.kid);
        invalidateTenant(request.tenant.id);
        return certAndKid(revoked);
      } catch (error) {
        if (error instanceof NotFoundError) throw notFound();
        if (error instanceof InvalidRequestError) {
          throw new ApiError(400, 'invalid_body', 'The current signing key cannot be revoked; rotate first.');
        }
        throw error;
      }
    },
  );
}

const isTokenKey = (key: SigningKey): key is TokenSigningKey => key.use === 'sig';

/**
 * Auth0's key shape. `cert`, `pkcs7`, `fingerprint` and `thumbprint` describe the key's X.509
 * certificate (SHA-1 of its DER, as Auth0 shows them); a key stored without a certificate has none
 * of them, and nothing is made up in their place (the JWK thumbprint is already the `kid`).
 */
function toWire(key: SigningKey): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    kid: key.kid,
    ...certificateFields(key.certificate),
    current: key.state === 'current',
    next: key.state === 'next',
    previous: key.state === 'previous',
    revoked: key.state === 'revoked',
  };
  if (key.activatedAt) wire.current_since = key.activatedAt.toISOString();
  if (key.activatedAt && key.rotatedAt) wire.current_until = key.rotatedAt.toISOString();
  if (key.revokedAt) wire.revoked_at = key.revokedAt.toISOString();
  return wire;
}

function certAndKid(key: SigningKey): Record<string, unknown> {
  return { ...(key.certificate ? { cert: key.certificate } : {}), kid: key.kid };
}

function certificateFields(pem: string | null): Record<string, string> {
  if (!pem) return {};
  const fingerprint = new X509Certificate(pem).fingerprint;
  return { cert: pem, fingerprint, thumbprint: fingerprint.replaceAll(':', '') };
}
