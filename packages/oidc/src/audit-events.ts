import type { PostLoginOutcome } from '@tessera/core';
import { type AuditEvent, DATABASE_CONNECTION, type Storage, type User } from '@tessera/storage';
import type { FastifyRequest } from 'fastify';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { PASSWORD_GRANT, PASSWORD_REALM_GRANT } from './password-grant-types.ts';

// Auth0's log events of the protocol side (`/api/v2/logs`): logins (`s`, `f`, `fp`, `fu`, `limit_wc`) and token
// exchanges (`seacft`/`feacft` code, `sertft`/`fertft` refresh token, `seccft`/`feccft` client
// credentials, `sepft`/`fepft` password). Never a password, a code or a token: only who, which app,
// from where and why it failed.

interface ErrorLog {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Recording is fire-and-forget: a login or a token request never waits for the audit write, and a
 * failed write is logged, never thrown (no unhandled rejection, no failed login). The writes still in
 * flight are bounded, so a flood (credential stuffing) cannot queue unbounded work: beyond the bound,
 * events are dropped with a warning in the process log.
 */
const MAX_IN_FLIGHT = 256;
let inFlight = 0;

function record(
  storage: Storage,
  log: ErrorLog,
  tenantId: string,
  build: () => Promise<AuditEvent | undefined>,
) {
  if (inFlight >= MAX_IN_FLIGHT) {
    log.warn({ tenantId }, 'audit log writes are backed up; dropping a log event');
    return;
  }
  inFlight++;
  build()
    .then((event) => (event ? storage.auditLogs.record(tenantId, event) : undefined))
    .catch((error: unknown) => log.error({ err: error }, 'could not record a log event'))
    .finally(() => {
      inFlight--;
    });
}

const clip = (text: string | undefined | null, max = 256) => (text ? text.slice(0, max) : null);

async function clientName(storage: Storage, tenantId: string, clientId: string | null) {
  if (!clientId) return null;
  return (await storage.clients.findById(tenantId, clientId))?.name ?? null;
}

/** Who the event is about, as Auth0 names them: `user_name` is the email (else the username). */
const userFields = (user: User) => ({
  userId: user.user_id,
  userName: user.email ?? user.username,
  connection: user.identities[0]?.connection ?? DATABASE_CONNECTION,
});

/**
 * Where an event comes from: a login page's request, or what the token endpoint knows of its own
 * (the password grant runs inside oidc-provider, with a Koa context rather than a Fastify request).
 */
export interface AuditSource {
  tenantId: string;
  log: ErrorLog;
  ip: string;
  userAgent: string | undefined;
}

type Origin = FastifyRequest | AuditSource;

const sourceOf = (origin: Origin): AuditSource =>
  'tenantId' in origin
    ? origin
    : {
        tenantId: origin.tenant.id,
        log: origin.log,
        ip: origin.ip,
        userAgent: origin.headers['user-agent'],
      };

const fromRequest = (source: AuditSource) => ({ ip: source.ip, userAgent: clip(source.userAgent) });

const WRONG_CREDENTIALS = 'Wrong email or password.';

/**
 * A refused login form: `fp` (wrong password of a known user), `fu` (no such user: `user_name` is what
 * was typed, as Auth0 keeps it) or `f` (e.g. a blocked user, with the reason as description).
 */
export function recordLoginFailure(
  storage: Storage,
  origin: Origin,
  failure: { clientId: string; identifier: string } & (
    | { type: 'fp'; user: User }
    | { type: 'fu' }
    | { type: 'f'; user: User; description: string }
  ),
) {
  const source = sourceOf(origin);
  const { tenantId } = source;
  record(storage, source.log, tenantId, async () => ({
    type: failure.type,
    description: failure.type === 'f' ? failure.description : WRONG_CREDENTIALS,
    clientId: failure.clientId,
    clientName: await clientName(storage, tenantId, failure.clientId),
    ...(failure.type === 'fu'
      ? { userName: clip(failure.identifier, 320), connection: DATABASE_CONNECTION }
      : userFields(failure.user)),
    ...fromRequest(source),
  }));
}

/**
 * Auth0's `limit_wc` ("Blocked Account"): this failure made the IP reach the limit of consecutive
 * failures for this user, which is now blocked from it (docs/security.md#42). Recorded once, when the
 * block begins; `user_name` is what was typed when no user matched, as for `fu`.
 */
export function recordLoginBlock(
  storage: Storage,
  origin: Origin,
  block: { clientId: string; identifier: string; user?: User | undefined; connection?: string },
) {
  const source = sourceOf(origin);
  const { tenantId } = source;
  record(storage, source.log, tenantId, async () => ({
    type: 'limit_wc',
    description: 'Too many consecutive failed login attempts: this IP address is blocked for this user.',
    clientId: block.clientId,
    clientName: await clientName(storage, tenantId, block.clientId),
    ...(block.user
      ? userFields(block.user)
      : { userName: clip(block.identifier, 320), connection: block.connection ?? DATABASE_CONNECTION }),
    ...fromRequest(source),
  }));
}

/**
 * How a login ended once the user was authenticated: `s` when it completes, `f` with the reason when
 * the post-login trigger denied it; nothing yet while an action has sent the user away (the login
 * ends, and is recorded, at `/continue`).
 */
export function recordLoginOutcome(
  storage: Storage,
  origin: Origin,
  login: { userId: string; clientId: string; outcome: PostLoginOutcome; user?: User },
) {
  if (login.outcome.kind === 'redirect') return;
  const { outcome } = login;
  const source = sourceOf(origin);
  const { tenantId } = source;
  record(storage, source.log, tenantId, async () => {
    const user = login.user ?? (await storage.users.findById(tenantId, login.userId));
    return {
      type: outcome.kind === 'deny' ? 'f' : 's',
      ...(outcome.kind === 'deny' ? { description: clip(outcome.description, 512) } : {}),
      clientId: login.clientId,
      clientName: await clientName(storage, tenantId, login.clientId),
      ...(user ? userFields(user) : { userId: login.userId }),
      ...fromRequest(source),
      ...(outcome.kind === 'deny' ? { details: { error: outcome.error } } : {}),
      ...(outcome.kind !== 'deny' && user ? { details: { stats: { loginsCount: user.logins_count } } } : {}),
    };
  });
}

/** Auth0's event types of the token endpoint, per grant type: [success, failure]. */
const EXCHANGES: Record<string, [string, string]> = {
  authorization_code: ['seacft', 'feacft'],
  refresh_token: ['sertft', 'fertft'],
  client_credentials: ['seccft', 'feccft'],
  [PASSWORD_GRANT]: ['sepft', 'fepft'],
  [PASSWORD_REALM_GRANT]: ['sepft', 'fepft'],
};

/**
 * Whom a password exchange was about when it failed before an account was loaded (a wrong password,
 * a blocked user): the user when the identifier resolved to one, else what was typed, as `fu` keeps it.
 */
const exchangeSubjects = new WeakMap<object, { user?: User; identifier: string; connection: string }>();

export function noteExchangeSubject(
  ctx: KoaContextWithOIDC,
  subject: { user?: User | undefined; identifier: string; connection: string },
) {
  exchangeSubjects.set(ctx, {
    identifier: subject.identifier,
    connection: subject.connection,
    ...(subject.user === undefined ? {} : { user: subject.user }),
  });
}

/** Records the token endpoint's exchanges from oidc-provider's `grant.success` / `grant.error` events. */
export function installAuditEvents(
  provider: Provider,
  deps: { storage: Storage; tenantId: string; log: ErrorLog },
) {
  const exchange = (ctx: KoaContextWithOIDC, outcome: 0 | 1, description?: string) => {
    // A listener that throws would break the token response it observes: never let one escape.
    try {
      const params = (ctx.oidc.params ?? {}) as Record<string, unknown>;
      const types = EXCHANGES[String(params.grant_type)];
      if (!types) return;
      // On failure the client may not have authenticated: the id it claimed, as Auth0 logs it.
      const clientId = clip(
        ctx.oidc.client?.clientId ?? (typeof params.client_id === 'string' ? params.client_id : null),
        64,
      );
      // The account and client the token endpoint already loaded (account.ts puts the user on the
      // account): no second read of either on the token path.
      const account = ctx.oidc.entities.Account as { accountId: string; user?: User } | undefined;
      const subject = exchangeSubjects.get(ctx);
      const userId = account?.accountId ?? null;
      const user = account?.user ?? subject?.user;
      const typed =
        !user && subject
          ? { userName: clip(subject.identifier, 320), connection: subject.connection }
          : undefined;
      const knownName = ctx.oidc.client?.clientName;
      const ip = ctx.ip;
      const userAgent = clip(ctx.get('user-agent'));
      record(deps.storage, deps.log, deps.tenantId, async () => {
        return {
          type: types[outcome],
          description: clip(description, 512),
          clientId,
          clientName: knownName ?? (await clientName(deps.storage, deps.tenantId, clientId)),
          ...(user ? userFields(user) : (typed ?? { userId })),
          ip,
          userAgent,
        };
      });
    } catch (error) {
      deps.log.error({ err: error }, 'could not record a log event');
    }
  };
  // A success is recorded once the answer is final: a refresh exchange's rotation is committed after
  // the route (refresh-rotation.ts), and may still turn it into a 503 or a refusal (which it logs).
  provider.on('grant.success', (ctx: KoaContextWithOIDC) =>
    ctx.res.once('close', () => {
      if (ctx.status === 200) exchange(ctx, 0);
    }),
  );
  provider.on(
    'grant.error',
    (
      ctx: KoaContextWithOIDC,
      error: { error_description?: string; error_detail?: string; message?: string },
    ) => {
      // The description the client saw, plus oidc-provider's detail (e.g. "authorization code not found"),
      // which names the check that failed, never a value.
      const description = error.error_description ?? error.message;
      exchange(ctx, 1, error.error_detail ? `${description} (${error.error_detail})` : description);
    },
  );
}
