import type {
  EventOrganization,
  EventPrompt,
  EventRefreshToken,
  EventResourceServer,
} from '../../types/post-login.d.ts';

// Sample values for the optional sections the default event leaves out (not every login has them). A
// partial event that names one of them, even as `{}`, is completed over these: a CLI user testing a
// refresh-token exchange writes `"refresh_token": {}` and gets a realistic one.

export const SAMPLE_USER_ID = 'auth0|64f1c2a9e4b0a1b2c3d4e5f6';
export const SAMPLE_CLIENT_ID = 'k5u3o2fiAA8XweXEEX604KCwCjzjtMU6';
export const SAMPLE_IP = '203.0.113.7';
export const SAMPLE_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export function sampleOrganization(): EventOrganization {
  return { id: 'org_9ybsU1dN2dKfDkBi', name: 'acme', display_name: 'Acme Corp', metadata: {} };
}

export function sampleResourceServer(): EventResourceServer {
  return { identifier: 'https://api.example.com' };
}

export function sampleRefreshToken(): EventRefreshToken {
  return {
    id: 'rt_Hq2vN8sLk3Wd7XbR',
    session_id: 'sess_Q8ht2LmV0aZc4YkP',
    user_id: SAMPLE_USER_ID,
    client_id: SAMPLE_CLIENT_ID,
    rotating: true,
    resource_servers: [
      { audience: 'https://api.example.com', scopes: 'openid profile email offline_access' },
    ],
    created_at: '2025-01-15T09:30:01.000Z',
    expires_at: '2025-02-14T09:30:01.000Z',
    idle_expires_at: '2025-01-30T09:30:01.000Z',
    last_exchanged_at: '2025-01-15T10:30:00.000Z',
    metadata: {},
    device: {
      initial_ip: SAMPLE_IP,
      initial_user_agent: SAMPLE_USER_AGENT,
      last_ip: SAMPLE_IP,
      last_user_agent: SAMPLE_USER_AGENT,
    },
  };
}

export function samplePrompt(): EventPrompt {
  return { id: 'ap_6hfMKxLtZrvgyEvTHvTsNk', fields: {} };
}
