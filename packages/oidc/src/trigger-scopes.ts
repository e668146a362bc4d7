import Provider from 'oidc-provider';

/** The post-login trigger's `api.accessToken.addScope/removeScope` calls, as stored on the Grant. */
export interface ScopeChanges {
  addScopes?: string[];
  removeScopes?: string[];
}

type Grant = InstanceType<Provider['Grant']> & { tessera?: ScopeChanges };
type AccessToken = InstanceType<Provider['AccessToken']>;

/**
 * `scope` after the trigger's changes: existing scopes keep their order, additions follow in call
 * order, then removals apply, so a scope both added and removed in one login ends up removed.
 */
export function applyScopeChanges(scope: string | undefined, changes: ScopeChanges): string {
  const scopes = new Set(
    String(scope ?? '')
      .split(' ')
      .filter(Boolean),
  );
  for (const added of changes.addScopes ?? []) scopes.add(added);
  for (const removed of changes.removeScopes ?? []) scopes.delete(removed);
  return [...scopes].join(' ');
}

/**
 * Auth0's `api.accessToken.addScope/removeScope`: oidc-provider only issues granted scopes, and its
 * JWT format writes `scope` after extraTokenClaims, so the change is made on the token itself just
 * before it is saved (and, for a JWT, formatted). Every grant type sets `at.scope`, then saves, then
 * answers with `at.scope`, so the token, its stored copy (introspection, /userinfo) and the token
 * response's `scope` all agree — on the code exchange and on every refresh of the grant.
 * Only the access token changes: the ID token and the refresh token keep the granted scopes, so
 * removing `openid` still yields an ID token (the access token then no longer serves /userinfo).
 */
export function installTriggerScopes(provider: Provider) {
  const save = provider.AccessToken.prototype.save;
  provider.AccessToken.prototype.save = async function saveWithTriggerScopes(this: AccessToken) {
    const changes = (await grantOf(provider, this.grantId))?.tessera;
    if (changes?.addScopes?.length || changes?.removeScopes?.length) {
      this.scope = applyScopeChanges(this.scope, changes);
    }
    return save.call(this);
  };
}

/** The request's grant (every grant type loads it first); read again only if it is not that one. */
async function grantOf(provider: Provider, grantId: string): Promise<Grant | undefined> {
  const loaded = Provider.ctx?.oidc.entities.Grant as Grant | undefined;
  if (loaded?.jti === grantId) return loaded;
  return grantId ? ((await provider.Grant.find(grantId)) as Grant | undefined) : undefined;
}
