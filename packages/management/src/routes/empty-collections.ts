import { FIELDS_QUERY } from '../query.ts';

/**
 * How Auth0 answers a list: `offset` pages (a bare array, or `{ <name>, start, limit, total }` with
 * `include_totals`), `checkpoint` pages (`{ <name>, next }`, `from` / `take`), both (organizations),
 * `actions`-style (always `{ <name>, total, page, per_page }`), always `wrapped` without paging, or a
 * bare `array`.
 */
export type Shape = 'offset' | 'checkpoint' | 'offset-or-checkpoint' | 'actions' | 'wrapped' | 'array';

export interface Collection {
  path: string;
  /** Auth0's scope names: read:<scope>, create:<scope>, update:<scope>, delete:<scope>. */
  scope: string;
  shape: Shape;
  /** The list's name in Auth0's wrapper. */
  name?: string;
  /** Filters the SDK sends (accepted; there is nothing to filter). */
  filters?: Record<string, object>;
  /** What Tessera does not have, for the refusal of a create. */
  what: string;
  /** Auth0's `inexistent_<item>` of a single one; absent: no item routes. */
  item?: string;
}

const BOOL = { type: 'boolean' };
const TEXT = { type: 'string', maxLength: 1024 };

/**
 * Auth0 resources Tessera does not have, which Auth0's deploy CLI and the SDK read on every run:
 * each answers the empty list in Auth0's shape, so a tool reading the tenant finds none and a tool
 * writing it back writes nothing. Creating one answers 403 `feature_not_enabled` (what Auth0 answers
 * a tenant without the feature), never a silent success; a single one is, truthfully, inexistent.
 * docs/management-api.md#where-the-management-api-differs-from-auth0 lists them.
 */
export const EMPTY_COLLECTIONS: readonly Collection[] = [
  {
    path: '/rules',
    scope: 'rules',
    shape: 'offset',
    name: 'rules',
    what: 'Legacy Rules are',
    item: 'rule',
    filters: { enabled: BOOL, ...FIELDS_QUERY },
  },
  {
    path: '/rules-configs',
    scope: 'rules_configs',
    shape: 'array',
    what: 'Rules configs (legacy Rules) are',
  },
  {
    path: '/hooks',
    scope: 'hooks',
    shape: 'offset',
    name: 'hooks',
    what: 'Hooks are',
    item: 'hook',
    filters: { enabled: BOOL, fields: TEXT, triggerId: TEXT },
  },
  { path: '/log-streams', scope: 'log_streams', shape: 'array', what: 'Log streams are', item: 'log_stream' },
  {
    path: '/event-streams',
    scope: 'event_streams',
    shape: 'checkpoint',
    name: 'eventStreams',
    what: 'Event streams are',
    item: 'event_stream',
  },
  {
    path: '/flows',
    scope: 'flows',
    shape: 'offset',
    name: 'flows',
    what: 'Flows are',
    item: 'flow',
    filters: {
      hydrate: { type: ['string', 'array'], maxItems: 10, items: TEXT, maxLength: 1024 },
      synchronous: BOOL,
    },
  },
  {
    path: '/flows/vault/connections',
    scope: 'flows_vault_connections',
    shape: 'offset',
    name: 'connections',
    what: 'Flows vault connections are',
    item: 'flows_vault_connection',
  },
  {
    path: '/organizations',
    scope: 'organizations',
    shape: 'offset-or-checkpoint',
    name: 'organizations',
    what: 'Organizations are',
    item: 'organization',
    filters: { sort: TEXT, include_client_association_for: TEXT },
  },
  {
    path: '/network-acls',
    scope: 'network_acls',
    shape: 'offset',
    name: 'network_acls',
    what: 'Network ACLs are',
    item: 'network_acl',
  },
  {
    path: '/self-service-profiles',
    scope: 'self_service_profiles',
    shape: 'offset',
    name: 'self_service_profiles',
    what: 'Self-service SSO profiles are',
    item: 'self_service_profile',
  },
  {
    path: '/user-attribute-profiles',
    scope: 'user_attribute_profiles',
    shape: 'checkpoint',
    name: 'user_attribute_profiles',
    what: 'User attribute profiles are',
    item: 'user_attribute_profile',
  },
  {
    path: '/connection-profiles',
    scope: 'connection_profiles',
    shape: 'checkpoint',
    name: 'connection_profiles',
    what: 'Connection profiles are',
    item: 'connection_profile',
  },
  {
    path: '/token-exchange-profiles',
    scope: 'token_exchange_profiles',
    shape: 'checkpoint',
    name: 'token_exchange_profiles',
    what: 'Token exchange profiles are',
    item: 'token_exchange_profile',
  },
  {
    path: '/connections-directory-provisionings',
    scope: 'directory_provisionings',
    shape: 'checkpoint',
    name: 'directory_provisionings',
    what: 'Directory provisioning is',
  },
  {
    path: '/actions/modules',
    scope: 'actions',
    shape: 'actions',
    name: 'modules',
    what: 'Action modules are',
    item: 'action_module',
  },
  {
    path: '/branding/phone/providers',
    scope: 'phone_providers',
    shape: 'wrapped',
    name: 'providers',
    what: 'Phone providers (Tessera sends no text messages) are',
    item: 'phone_provider',
    filters: { disabled: BOOL },
  },
  {
    path: '/branding/phone/templates',
    scope: 'phone_templates',
    shape: 'wrapped',
    name: 'templates',
    what: 'Phone templates (Tessera sends no text messages) are',
    item: 'phone_template',
    filters: { disabled: BOOL },
  },
];
