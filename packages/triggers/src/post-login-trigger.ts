import {
  type ActionsRuntime,
  applyToEvent,
  buildEventRequest,
  buildPostLoginEvent,
  type Command,
  type PostLoginEvent,
  type RunResult,
} from '@tessera/actions';
import {
  type ContinueRequest,
  continueUnchanged,
  type KvStore,
  type Logger,
  type PostLoginOutcome,
  type PostLoginPort,
  type PostLoginTransaction,
} from '@tessera/core';
import type { DeployedAction, Storage } from '@tessera/storage';
import { eventInput } from './event-input.ts';
import type { GeoIpLookup } from './geoip.ts';
import { commitMetadata } from './metadata-commit.ts';
import {
  FAILED_DESCRIPTION,
  MFA_REQUIRED,
  mfaRecordMessage,
  mfaRequest,
  outcomeOf,
  resolveSecretRefs,
} from './outcome.ts';
import { PausedLogins } from './pause.ts';

export interface PostLoginTriggerDeps {
  storage: Storage;
  /** Paused logins (redirects) live here until `/continue`. */
  kv: KvStore;
  /** How long a paused login waits for `/continue` (default 15 minutes, encodeToken's token lifetime). */
  pauseTtlMs?: number;
  /** The actions runtime, created on first use: a tenant without bound actions never starts a sandbox. */
  runtime: () => ActionsRuntime;
  log: Logger;
  /** Fills `event.request.geoip` from the login's IP address; absent: no GeoIP database is configured. */
  geoip?: GeoIpLookup;
}

const STATUS: Record<string, string> = { completed: 'success', denied: 'denied', failed: 'error' };

/** The password grant's protocol: a second factor is asked for with `mfa_required`, not a page. */
const NO_BROWSER_LOGIN = 'oauth2-resource-owner';

/** What a run started from: the event it saw, the commands before it and the records so far. */
interface RunContext {
  transaction: PostLoginTransaction;
  actions: DeployedAction[];
  event: PostLoginEvent;
  started: Date;
  /** Commands of the part of the run before a redirect (their claims and scopes still apply). */
  earlier: Command[];
  executions: string[];
}

/**
 * The post-login trigger (docs/actions.md#the-post-login-trigger-in-the-login-flow): reads the tenant's bound, deployed actions,
 * builds the event from the real login, runs them, commits their metadata changes (also when the login
 * is denied: Auth0's deny does not cancel them), records the execution and answers with the outcome the
 * OIDC flow applies. A metadata commit that fails fails the login: no token reflects unsaved data.
 *
 * `api.redirect.sendUserTo` pauses the run: the metadata so far is committed, the run is parked in the
 * KV store under a single-use state bound to the browser's interaction, and `resume` (the `/continue`
 * route) runs the same action's `onContinuePostLogin` and then the remaining actions.
 */
export function createPostLoginTrigger(deps: PostLoginTriggerDeps): PostLoginPort {
  const paused = new PausedLogins(deps.kv, deps.pauseTtlMs ?? 15 * 60_000);

  async function finish(context: RunContext, ran: RunResult): Promise<PostLoginOutcome> {
    const { transaction, actions } = context;
    const secrets = (actionId: string, name: string) => actions.find((a) => a.id === actionId)?.secrets[name];
    // Metadata over Auth0's limits fails the run (docs/security.md#50); from here on it is a failed one.
    const result = await commitMetadata(deps.storage, transaction, ran, secrets);
    const commands = [...context.earlier, ...result.commands];
    const whole = { ...result, commands };
    // docs/security.md#52: a login whose run asked for a second factor is denied until MFA exists.
    const mfa = mfaRequest(whole);
    const executionId = await record(deps, transaction, actions, result, context.started, mfa);
    const executions = executionId === undefined ? context.executions : [...context.executions, executionId];
    let outcome =
      mfa !== undefined && transaction.protocol === NO_BROWSER_LOGIN
        ? MFA_REQUIRED
        : outcomeOf(whole, secrets, transaction.protocol, context.event.session?.metadata ?? {});
    if (result.outcome === 'completed' && result.redirectTo !== undefined) {
      const pausedBy = result.actions.at(-1);
      const action = actions.find((a) => a.id === pausedBy?.id);
      if (action !== undefined) {
        // What the next action would have seen: this run's metadata changes applied.
        const event = structuredClone(context.event);
        applyToEvent(event, resolveSecretRefs(result.commands, secrets));
        const { state, url } = await paused.park(
          {
            tenantId: transaction.tenantId,
            ...(transaction.interactionUid === undefined
              ? {}
              : { interactionUid: transaction.interactionUid }),
            // The request's form stays out of the store (the event holds what actions may see of it).
            transaction: { ...transaction, request: withoutBody(transaction.request) },
            event,
            action: { id: action.id, versionId: action.versionId },
            commands,
            executions,
          },
          result.redirectTo,
        );
        outcome = { kind: 'redirect', url, state };
      }
    }
    if (result.outcome === 'failed' && result.interactionRefused === true && promptNone(transaction))
      outcome = {
        kind: 'deny',
        error: 'interaction_required',
        description: 'a post-login action needs to show the user a page, and the request said prompt=none',
      };
    deps.log.info(
      {
        tenant: transaction.tenantId,
        trigger: 'post-login',
        actions: actions.map((a) => a.name),
        outcome:
          result.outcome === 'failed'
            ? `failed:${result.kind}`
            : mfa !== undefined
              ? 'denied:mfa_unsupported'
              : result.outcome,
        ...(outcome.kind === 'redirect' ? { paused: true } : {}),
        durationMs: result.durationMs,
        execution: executionId,
        ...(context.executions.length > 0 ? { resumedFrom: context.executions } : {}),
      },
      'post-login trigger ran',
    );
    return outcome;
  }

  return {
    async run(given, loaders) {
      const actions = await deps.storage.actions.deployedForTrigger(given.tenantId, 'post-login');
      if (actions.length === 0) return continueUnchanged.run(given);
      const session = given.session ?? (await loaders?.session?.());
      const transaction = session === undefined ? given : { ...given, session };
      const started = new Date();
      const event = buildPostLoginEvent(await eventInput(deps.storage, transaction, deps.geoip));
      const result = await deps.runtime().run({
        tenantId: transaction.tenantId,
        trigger: 'post-login',
        event,
        actions,
        ...tenantOptions(transaction),
      });
      return finish({ transaction, actions, event, started, earlier: [], executions: [] }, result);
    },

    bind: (tenantId, state, interactionUid) => paused.bind(tenantId, state, interactionUid),

    async resume(request: ContinueRequest) {
      const pause = await paused.take(request.tenantId, request.state, request.interactionUid);
      const { transaction } = pause;
      const started = new Date();
      const actions = await deps.storage.actions.deployedForTrigger(transaction.tenantId, 'post-login');
      const index = actions.findIndex((a) => a.id === pause.action.id);
      if (index === -1) {
        // Unbound while the user was away: what it would do on return is unknown, so fail closed.
        deps.log.warn(
          { tenant: transaction.tenantId, action: pause.action.id },
          'a paused post-login action is no longer bound; the login fails',
        );
        return {
          transaction,
          outcome: { kind: 'deny', error: 'access_denied', description: FAILED_DESCRIPTION },
        };
      }
      // Auth0: onContinuePostLogin sees the request that came back (its query or form body).
      const event = {
        ...pause.event,
        request: buildEventRequest({
          ip: request.ip ?? '',
          hostname: request.request.hostname,
          method: request.request.method,
          ...(request.request.userAgent === undefined ? {} : { userAgent: request.request.userAgent }),
          ...(request.request.language === undefined ? {} : { language: request.request.language }),
          query: request.query,
          body: request.body,
          ...(pause.event.request.geoip === undefined ? {} : { geoip: pause.event.request.geoip }),
        }),
      } as PostLoginEvent;
      const result = await deps.runtime().run({
        tenantId: transaction.tenantId,
        trigger: 'post-login',
        event,
        actions,
        resume: { index, state: request.state },
        ...tenantOptions(transaction),
      });
      const outcome = await finish(
        { transaction, actions, event, started, earlier: pause.commands, executions: pause.executions },
        result,
      );
      return { outcome, transaction };
    },
  };
}

const withoutBody = (request: PostLoginTransaction['request']) => {
  if (request === undefined) return undefined;
  const { body: _body, ...rest } = request;
  return rest;
};

/** What the tenant lets its actions do beyond the defaults (egress hosts, plain-http redirects). */
const tenantOptions = (transaction: PostLoginTransaction) =>
  transaction.actionSettings === undefined
    ? {}
    : {
        allowHttpRedirects: transaction.actionSettings.allowHttpRedirects,
        egressAllowHosts: transaction.actionSettings.egressAllowHosts,
      };

const promptNone = (transaction: PostLoginTransaction) =>
  String(transaction.params?.prompt ?? '')
    .split(' ')
    .includes('none');

/** The execution record an admin reads (secrets are already redacted by the runtime). */
async function record(
  deps: PostLoginTriggerDeps,
  transaction: { tenantId: string; userId: string; clientId: string },
  actions: Array<{ id: string; name: string; versionId: string }>,
  result: RunResult,
  started: Date,
  /** The MFA request the login was denied for (docs/security.md#52), kept as the run's last entry. */
  mfa: Command | undefined,
): Promise<string | undefined> {
  const results = result.actions.map((report) => ({
    action_id: report.id,
    action_name: report.name,
    version_id: actions.find((a) => a.id === report.id)?.versionId,
    handler: report.handler,
    duration_ms: report.durationMs,
    error: report.error ?? null,
    commands: result.commands.filter((c) => c.action === report.name),
    logs: result.logs.filter((l) => l.action === report.name),
  }));
  try {
    return await deps.storage.executions.create(transaction.tenantId, {
      triggerId: 'post-login',
      status:
        mfa !== undefined
          ? 'denied'
          : result.outcome === 'completed' && result.pause !== undefined
            ? 'paused'
            : (STATUS[result.outcome] ?? 'error'),
      results:
        result.outcome === 'failed'
          ? [...results, { error: { kind: result.kind, message: result.message } }]
          : mfa !== undefined
            ? [...results, { error: { kind: 'mfa_unsupported', message: mfaRecordMessage(mfa) } }]
            : results,
      clientId: transaction.clientId,
      userId: transaction.userId,
      startedAt: started,
      endedAt: new Date(),
      durationMs: result.durationMs,
    });
  } catch (error) {
    // The login's outcome does not depend on its record; a lost record is logged, not fatal.
    deps.log.error(
      { err: error, tenant: transaction.tenantId },
      'could not store the post-login execution record',
    );
    return undefined;
  }
}
