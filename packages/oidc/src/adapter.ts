import type { KvStore } from '@tessera/core';
import type { Storage } from '@tessera/storage';
import Provider, { type Adapter, type AdapterPayload, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { toClientMetadata } from './client-metadata.ts';
import { indexSession, sessionIndexOf } from './session-index.ts';
import { createTtlCache } from './ttl-cache.ts';

/** Models that outlive a login and must survive a Redis flush: kept in Postgres. */
const DURABLE = new Set(['Grant', 'RefreshToken']);

export interface AdapterDeps {
  tenantId: string;
  storage: Storage;
  /** Already scoped to the tenant. */
  kv: KvStore;
  inertClientSecret: string;
  /** Called when a second redemption of a code or rotated refresh token is detected. */
  revokeGrant(grantId: string): Promise<void>;
}

/**
 * oidc-provider's storage, per tenant and model (docs/architecture.md#storage: short-lived models in the KV store,
 * Grant and RefreshToken in Postgres, clients from the clients table).
 *
 * `consume` is a compare-and-set: oidc-provider reads a code, checks `consumed`, then consumes, so two
 * concurrent redemptions would both pass its check. Here only one caller can flip `consumed`; the other
 * revokes the grant (RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it) and fails
 * with invalid_grant.
 */
export function createAdapterFactory(deps: AdapterDeps) {
  return (model: string): Adapter => {
    if (model === 'Client') return clientAdapter(deps);
    return DURABLE.has(model) ? durableAdapter(model, deps) : kvAdapter(model, deps);
  };
}

const unsupported = async () => {
  throw new Error('clients are managed through the Management API');
};

/** How long a client read from the database is reused (changes show within this time on every process). */
const CLIENT_CACHE_MS = 5_000;

function clientAdapter({ tenantId, storage, inertClientSecret }: AdapterDeps): Adapter {
  // Every protocol request looks its client up, often several times.
  const cache = createTtlCache<AdapterPayload>(CLIENT_CACHE_MS);
  return {
    find: (id) =>
      cache.get(id, async () => {
        const client = await storage.clients.findById(tenantId, id);
        return client ? (toClientMetadata(client, inertClientSecret) as AdapterPayload) : undefined;
      }),
    upsert: unsupported,
    destroy: unsupported,
    consume: unsupported,
    revokeByGrantId: unsupported,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
  };
}

function durableAdapter(model: string, deps: AdapterDeps): Adapter {
  const records = deps.storage.oidcRecords;
  const { tenantId } = deps;
  return {
    upsert: (id, payload, expiresIn) => records.upsert(tenantId, model, id, payload, expiresIn),
    find: (id) => records.find(tenantId, model, id) as Promise<AdapterPayload | undefined>,
    findByUid: (uid) => records.findByUid(tenantId, model, uid) as Promise<AdapterPayload | undefined>,
    findByUserCode: (code) =>
      records.findByUserCode(tenantId, model, code) as Promise<AdapterPayload | undefined>,
    destroy: (id) => records.destroy(tenantId, model, id),
    revokeByGrantId: (grantId) => records.revokeByGrantId(tenantId, grantId),
    async consume(id) {
      if (await records.consume(tenantId, model, id)) return;
      await refuseReuse(
        deps,
        (await records.find(tenantId, model, id))?.grantId as string | undefined,
        model,
      );
    },
  };
}

function kvAdapter(model: string, deps: AdapterDeps): Adapter {
  const kv = deps.kv.scoped(`oidc:${model}:`);
  const grants = deps.kv.scoped('oidc:grant:');
  const key = (id: string) => `id:${id}`;

  return {
    async upsert(id, payload, expiresIn) {
      const ttlMs = expiresIn ? expiresIn * 1000 : undefined;
      if (model === 'Session' && !(await indexedUnderUser(deps.kv, payload, ttlMs))) return;
      if (model === 'Session' && outsideTheBrowser()) {
        if (!(await replaceExisting(kv, key(id), JSON.stringify(payload), ttlMs))) return;
      } else await kv.set(key(id), JSON.stringify(payload), ttlMs);
      if (payload.uid) await kv.set(`uid:${payload.uid}`, id, ttlMs);
      if (payload.userCode) await kv.set(`user_code:${payload.userCode}`, id, ttlMs);
      if (payload.grantId) await rememberInGrant(grants, payload.grantId, `${model}:${id}`, ttlMs);
    },
    async find(id) {
      return parse(await kv.get(key(id)));
    },
    async findByUid(uid) {
      const id = await kv.get(`uid:${uid}`);
      return id ? parse(await kv.get(key(id))) : undefined;
    },
    async findByUserCode(code) {
      const id = await kv.get(`user_code:${code}`);
      return id ? parse(await kv.get(key(id))) : undefined;
    },
    async destroy(id) {
      await kv.delete(key(id));
    },
    async revokeByGrantId(grantId) {
      const members = JSON.parse((await grants.get(grantId)) ?? '[]') as string[];
      const mine = members.filter((member) => member.startsWith(`${model}:`));
      await Promise.all(mine.map((member) => kv.delete(key(member.slice(model.length + 1)))));
    },
    async consume(id) {
      // Compare-and-set on the stored record: of concurrent callers only one sees it unconsumed.
      for (let attempt = 0; attempt < 5; attempt++) {
        const raw = await kv.get(key(id));
        const payload = parse(raw);
        // Gone since the provider read it: another redemption won and revoked the grant. Never
        // report success for a record this call did not consume itself.
        if (!raw || !payload) return refuseReuse(deps, undefined, model);
        if (payload.consumed) return refuseReuse(deps, payload.grantId, model);
        const next = JSON.stringify({ ...payload, consumed: Math.floor(Date.now() / 1000) });
        if (await kv.compareAndSet(key(id), raw, next)) return;
      }
      throw new Error(`could not consume ${model} ${id}: too much contention`);
    },
  };
}

/**
 * A session saved by a request its browser did not make (a refresh exchange whose actions changed the
 * session, refresh-trigger.ts): the app's backend held it in memory while the actions ran, and the
 * browser may have logged out, logged in again (a new record id) or had it revoked meanwhile.
 */
const outsideTheBrowser = () => (Provider.ctx as KoaContextWithOIDC | undefined)?.oidc?.route === 'token';

/**
 * Replaces a record only while it exists, never creating it: an ended session stays ended. A
 * concurrent change is overwritten as a plain save would (last writer wins); false when it is gone.
 */
async function replaceExisting(kv: KvStore, key: string, next: string, ttlMs: number | undefined) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await kv.get(key);
    if (current === undefined) return false;
    if (await kv.compareAndSet(key, current, next, ttlMs)) return true;
  }
  throw new Error('could not save a session: too much contention');
}

/**
 * A signed-in session is indexed under its user before it is stored (session-index.ts); false when
 * an administrator revoked it meanwhile, and it must not be stored again. The entry lasts until the
 * session's absolute end when the payload names it, so later saves only read the index; otherwise
 * twice the record's lifetime, so a session saved at every visit rewrites it at most once per
 * lifetime.
 */
async function indexedUnderUser(tenantKv: KvStore, payload: AdapterPayload, ttlMs: number | undefined) {
  if (typeof payload.accountId !== 'string' || typeof payload.uid !== 'string') return true;
  const needMs = ttlMs === undefined ? Number.MAX_SAFE_INTEGER : Date.now() + ttlMs;
  const end = (payload as { tessera?: { expiresAt?: unknown } }).tessera?.expiresAt;
  const untilMs = typeof end === 'number' ? end * 1000 : needMs + (ttlMs ?? 0);
  return indexSession(sessionIndexOf(tenantKv), payload.accountId, payload.uid, { needMs, untilMs });
}

async function refuseReuse(deps: AdapterDeps, grantId: string | undefined, model: string): Promise<never> {
  if (grantId) await deps.revokeGrant(grantId);
  throw new errors.InvalidGrant(
    `${model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used`,
  );
}

/** Index of the records issued under a grant, so revoking the grant can find them. */
async function rememberInGrant(grants: KvStore, grantId: string, member: string, ttlMs: number | undefined) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = (await grants.get(grantId)) ?? null;
    const members = current ? (JSON.parse(current) as string[]) : [];
    if (members.includes(member)) return;
    // The index lives at least as long as its longest member (a day at most for short-lived models).
    const ttl = Math.max(ttlMs ?? 86_400_000, (await grants.ttl(grantId)) ?? 0);
    if (
      await grants.compareAndSet(
        grantId,
        current,
        JSON.stringify([...members, member]),
        Number.isFinite(ttl) ? ttl : undefined,
      )
    )
      return;
  }
  // Unindexed, the record could not be revoked with its grant: fail the request instead.
  throw new Error(`could not index ${member} under grant ${grantId}: too much contention`);
}

function parse(raw: string | undefined): AdapterPayload | undefined {
  return raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
}
