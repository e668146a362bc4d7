import { buildPostLoginEvent } from './build-event.ts';
import type { PostLoginEventInput } from './build-event-input.ts';
import { completeValue } from './complete-value.ts';
import { EVENT_SHAPE } from './event-shape.ts';
import { SAMPLE_CLIENT_ID, SAMPLE_IP, SAMPLE_USER_AGENT, SAMPLE_USER_ID } from './section-samples.ts';
import type { PostLoginEvent } from './types.ts';

// A typical login, for `tessera actions run` without `--event` and as the base a partial event is
// completed over. Built with the same builder as real logins, so it has exactly their shape. Fixed
// dates, so a run is reproducible.

const LOGIN_AT = '2025-01-15T09:30:00.000Z';
const APP = 'https://app.example.com';
const API = 'https://api.example.com';

function sampleInput(): PostLoginEventInput {
  return {
    tenantId: 'example',
    user: {
      user_id: SAMPLE_USER_ID,
      email: 'jane.doe@example.com',
      email_verified: true,
      name: 'Jane Doe',
      given_name: 'Jane',
      family_name: 'Doe',
      nickname: 'jane.doe',
      picture: 'https://s.gravatar.com/avatar/9e26471d35a78862c17e467d87cddedf?s=480&r=pg&d=mp',
      user_metadata: { preferred_language: 'en', theme: 'dark' },
      app_metadata: { plan: 'pro', customer_id: 'cus_4f2a9c' },
      created_at: '2024-03-02T14:11:05.000Z',
      updated_at: '2025-01-15T09:29:58.000Z',
      last_password_reset: '2024-09-20T08:00:00.000Z',
      identities: [
        {
          connection: 'Username-Password-Authentication',
          provider: 'auth0',
          user_id: SAMPLE_USER_ID.slice('auth0|'.length),
          isSocial: false,
        },
      ],
      logins_count: 12,
    },
    client: { clientId: SAMPLE_CLIENT_ID, name: 'My Web App', metadata: { tier: 'internal' } },
    connection: { id: 'con_a1B2c3D4e5F6g7H8' },
    audience: API,
    request: {
      ip: SAMPLE_IP,
      hostname: 'login.example.com',
      method: 'GET',
      language: 'en',
      userAgent: SAMPLE_USER_AGENT,
      query: {
        client_id: SAMPLE_CLIENT_ID,
        redirect_uri: `${APP}/callback`,
        response_type: 'code',
        response_mode: 'query',
        scope: 'openid profile email',
        audience: API,
        state: 'aW5pdGlhbC1zdGF0ZQ',
        nonce: 'bm9uY2UtMTIzNDU2',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      },
      geoip: {
        countryCode: 'US',
        countryCode3: 'USA',
        countryName: 'United States',
        cityName: 'Portland',
        latitude: 45.5152,
        longitude: -122.6784,
        timeZone: 'America/Los_Angeles',
        subdivisionCode: 'OR',
        subdivisionName: 'Oregon',
        continentCode: 'NA',
      },
    },
    transaction: {
      id: 'Xq3vS0tJ9bZp2mYc7LwR',
      protocol: 'oidc-basic-profile',
      requestedScopes: 'openid profile email',
      redirectUri: `${APP}/callback`,
      responseMode: 'query',
      responseType: 'code',
      state: 'aW5pdGlhbC1zdGF0ZQ',
      locale: 'en',
    },
    authenticationMethods: [{ name: 'pwd', timestamp: LOGIN_AT }],
    session: {
      id: 'sess_Q8ht2LmV0aZc4YkP',
      createdAt: LOGIN_AT,
      updatedAt: LOGIN_AT,
      authenticatedAt: LOGIN_AT,
      lastInteractedAt: LOGIN_AT,
      idleExpiresAt: '2025-01-18T09:30:00.000Z',
      expiresAt: '2025-02-14T09:30:00.000Z',
      clients: [SAMPLE_CLIENT_ID],
      device: {
        initialIp: SAMPLE_IP,
        initialUserAgent: SAMPLE_USER_AGENT,
        lastIp: SAMPLE_IP,
        lastUserAgent: SAMPLE_USER_AGENT,
      },
    },
    roles: ['editor'],
  };
}

/** A fresh sample event on every call: callers may mutate it. */
export function defaultPostLoginEvent(): PostLoginEvent {
  return buildPostLoginEvent(sampleInput());
}

/**
 * A user-written partial event (`tessera actions run --event e.json`) merged over the default one:
 * known objects merge field by field; arrays, metadata, query, body and geoip are replaced as a whole;
 * `null` removes an optional field or section; a section the default lacks (organization,
 * refresh_token, prompt) is completed over a sample. Throws TypeError naming the JSON path of the first
 * bad value (`event.user.app_metadata must be an object`), and for `__proto__`, `constructor` or
 * `prototype` keys anywhere.
 */
export function completePostLoginEvent(partial: unknown): PostLoginEvent {
  return completeValue(EVENT_SHAPE, defaultPostLoginEvent(), partial, 'event') as PostLoginEvent;
}
