import type { Protocol } from '../../types/post-login.d.ts';
import {
  sampleOrganization,
  samplePrompt,
  sampleRefreshToken,
  sampleResourceServer,
} from './section-samples.ts';
import { boolean, dictionary, list, number, object, optional, type Shape, string, strings } from './shape.ts';

// The post-login event as types/post-login.d.ts declares it, for checking partial events at run time.
// test/event/default-event.test.ts proves the two agree on every field of the default event.

// A record, not an array, so tsc fails if this list and the declared Protocol union ever differ.
const PROTOCOL_NAMES: Record<Protocol, true> = {
  'oidc-basic-profile': true,
  'oidc-implicit-profile': true,
  'oidc-hybrid-profile': true,
  'oauth2-resource-owner': true,
  'oauth2-refresh-token': true,
  'oauth2-device-code': true,
  'oauth2-token-exchange': true,
  samlp: true,
};
export const PROTOCOLS = Object.keys(PROTOCOL_NAMES) as Protocol[];

const text = () => optional(string());
const metadata = () => dictionary('string');

const device = () =>
  object({ initial_ip: text(), initial_user_agent: text(), last_ip: text(), last_user_agent: text() });

const user = object({
  user_id: string(),
  username: text(),
  email: text(),
  email_verified: boolean(),
  phone_number: text(),
  phone_verified: optional(boolean()),
  name: text(),
  given_name: text(),
  family_name: text(),
  nickname: text(),
  picture: text(),
  user_metadata: dictionary('json'),
  app_metadata: dictionary('json'),
  created_at: string(),
  updated_at: string(),
  last_password_reset: text(),
  identities: list(
    object({
      connection: string(),
      provider: string(),
      user_id: string(),
      isSocial: boolean(),
      profileData: optional(dictionary('json')),
    }),
  ),
  multifactor: strings(),
  enrolledFactors: list(object({ type: string(), options: optional(dictionary('json')) })),
});

const request = object({
  ip: string(),
  hostname: string(),
  method: string(),
  language: text(),
  user_agent: text(),
  query: dictionary('json'),
  body: dictionary('json'),
  // Replaced as a whole: a country from the partial and a city from the sample would be nonsense.
  geoip: object(
    {
      countryCode: text(),
      countryCode3: text(),
      countryName: text(),
      cityName: text(),
      latitude: optional(number()),
      longitude: optional(number()),
      timeZone: text(),
      subdivisionCode: text(),
      subdivisionName: text(),
      continentCode: text(),
    },
    { whole: true },
  ),
});

const transaction = object({
  id: string(),
  locale: string(),
  protocol: string(PROTOCOLS),
  requested_scopes: strings(),
  acr_values: strings(),
  ui_locales: strings(),
  redirect_uri: text(),
  prompt: optional(strings()),
  login_hint: text(),
  response_mode: text(),
  response_type: optional(strings()),
  state: text(),
  metadata: dictionary('scalar'),
});

const session = object({
  id: string(),
  user_id: string(),
  created_at: string(),
  updated_at: string(),
  authenticated_at: string(),
  last_interacted_at: string(),
  idle_expires_at: text(),
  expires_at: text(),
  clients: list(object({ client_id: string() })),
  cookie: object({ mode: string(['persistent', 'non-persistent']) }),
  metadata: metadata(),
  device: device(),
});

const refreshToken = object(
  {
    id: string(),
    session_id: text(),
    user_id: string(),
    client_id: string(),
    rotating: boolean(),
    resource_servers: list(object({ audience: string(), scopes: string() })),
    created_at: string(),
    expires_at: text(),
    idle_expires_at: text(),
    last_exchanged_at: text(),
    metadata: metadata(),
    device: device(),
  },
  { template: sampleRefreshToken },
);

export const EVENT_SHAPE: Shape = object({
  user,
  client: object({ client_id: string(), name: string(), metadata: metadata() }),
  connection: object({ id: string(), name: string(), strategy: string(), metadata: metadata() }),
  organization: optional(
    object(
      { id: string(), name: string(), display_name: string(), metadata: metadata() },
      { template: sampleOrganization },
    ),
  ),
  resource_server: optional(object({ identifier: string() }, { template: sampleResourceServer })),
  tenant: object({ id: string() }),
  stats: object({ logins_count: number() }),
  authorization: object({ roles: strings() }),
  secrets: dictionary('string'),
  configuration: dictionary('string'),
  request,
  transaction,
  authentication: object({ methods: list(object({ name: string(), timestamp: string() })) }),
  session: optional(session),
  refresh_token: optional(refreshToken),
  prompt: optional(object({ id: string(), fields: dictionary('json') }, { template: samplePrompt })),
});
