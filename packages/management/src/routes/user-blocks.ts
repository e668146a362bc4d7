import {
  attackProtectionOf,
  DATABASE_CONNECTION,
  type LoginBlock,
  type LoginSubject,
  type Tenant,
} from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { arrayOf, NO_CONTENT, object, STRING } from '../responses.ts';
import { noSuchUser, USER_ID_PARAMS } from './user-wire.ts';

/** Auth0's answer: the IPs each identifier is blocked from. */
const BLOCKS = object({
  blocked_for: arrayOf(object({ identifier: STRING, ip: STRING, connection: STRING })),
});

/**
 * Auth0's `consider_brute_force_enablement=true`: an empty list while brute-force protection is off
 * or does not block (`/attack-protection/brute-force-protection`); without it, blocks are listed
 * whatever the settings.
 */
const CONSIDER = { consider_brute_force_enablement: { type: 'boolean' } } as const;

/** Auth0 takes a username, a phone number or an email; Tessera's logins take the first and the last. */
const IDENTIFIER = { identifier: { type: 'string', minLength: 1, maxLength: 320 } } as const;

const byIdentifier = <const E extends Record<string, object>>(extra: E) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['identifier'],
    properties: { ...IDENTIFIER, ...extra },
  }) as const;

/**
 * Auth0's `/user-blocks`: the IPs that brute-force protection blocked for a user (docs/security.md#42),
 * listed and lifted by user id or by identifier. Lifting clears the counters too, so the next failure
 * from that IP starts a fresh count of 10. Blocks an administrator sets on the user (`blocked: true`)
 * are not these: they change through `PATCH /users/{id}`, as at Auth0.
 */
export function userBlockRoutes(api: ManagementApi, { storage, loginAttempts }: ManagementDeps): void {
  /**
   * Logins count an identifier against the user it resolves to, and against the identifier itself
   * when none does (an unknown identifier, or one tried before its account existed): both are listed.
   */
  const subjectsOf = async (tenantId: string, identifier: string): Promise<LoginSubject[]> => {
    const found = await storage.users.findForLogin(tenantId, identifier.trim());
    return [...(found ? [{ tenantId, userId: found.user.user_id }] : []), { tenantId, identifier }];
  };
  const userSubject = async (tenantId: string, userId: string): Promise<LoginSubject> => {
    if (!(await storage.users.findById(tenantId, userId))) throw noSuchUser();
    return { tenantId, userId };
  };
  const list = async (tenant: Tenant, subjects: LoginSubject[], consider = false) => {
    const settings = attackProtectionOf(tenant.settings, 'brute-force-protection');
    const blocking = settings.enabled && settings.shields.includes('block');
    if (consider && !blocking) return { blocked_for: [] };
    // Counts toward another `max_attempts` than the current one are not blocks (login-attempts.ts).
    const max = settings.max_attempts;
    const blocks = (await Promise.all(subjects.map((s) => loginAttempts.blocks(s, max)))).flat();
    return { blocked_for: blocks.map(toWire) };
  };
  const lift = (subjects: LoginSubject[]) => Promise.all(subjects.map((s) => loginAttempts.unblock(s)));

  api.get(
    '/user-blocks',
    {
      config: { scopes: ['read:users'] },
      schema: { querystring: byIdentifier(CONSIDER), response: { 200: BLOCKS } },
    },
    async (request) =>
      list(
        request.tenant,
        await subjectsOf(request.tenant.id, request.query.identifier),
        request.query.consider_brute_force_enablement,
      ),
  );

  api.delete(
    '/user-blocks',
    {
      config: { scopes: ['update:users'], audit: 'Unblock by identifier' },
      schema: { querystring: byIdentifier({}), response: NO_CONTENT },
    },
    async (request, reply) => {
      await lift(await subjectsOf(request.tenant.id, request.query.identifier));
      return reply.code(204).send();
    },
  );

  api.get(
    '/user-blocks/:id',
    {
      config: { scopes: ['read:users'] },
      schema: {
        params: USER_ID_PARAMS,
        querystring: { type: 'object', additionalProperties: false, properties: CONSIDER },
        response: { 200: BLOCKS },
      },
    },
    async (request) =>
      list(
        request.tenant,
        [await userSubject(request.tenant.id, request.params.id)],
        request.query.consider_brute_force_enablement,
      ),
  );

  api.delete(
    '/user-blocks/:id',
    {
      config: { scopes: ['update:users'], audit: 'Unblock a user' },
      schema: { params: USER_ID_PARAMS, response: NO_CONTENT },
    },
    async (request, reply) => {
      await lift([await userSubject(request.tenant.id, request.params.id)]);
      return reply.code(204).send();
    },
  );
}

/** Tessera's password logins go through the tenant's default database connection. */
const toWire = (block: LoginBlock) => ({
  identifier: block.identifier,
  ip: block.ip,
  connection: DATABASE_CONNECTION,
});
