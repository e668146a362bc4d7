import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPostLoginEvent, isSensitiveParam } from '../../src/event/index.ts';
import { fullInput } from './fixtures.ts';

// Every credential a login or token request can carry, by the spec that defines it.
const CREDENTIALS = {
  password: 'hunter2', // login form, RFC 6749 §4.3.2
  client_secret: 'cs', // RFC 6749 §2.3.1
  client_assertion: 'eyJ.assertion', // RFC 7523 §2.2
  code: 'authz-code', // RFC 6749 §4.1.3
  code_verifier: 'verifier', // RFC 7636 §4.5
  refresh_token: 'rt', // RFC 6749 §6
  access_token: 'at',
  id_token: 'eyJ.id',
  subject_token: 'st', // RFC 8693
  actor_token: 'act',
  assertion: 'eyJ.bearer', // RFC 7523 §2.1
  device_code: 'dc', // RFC 8628
  id_token_hint: 'eyJ.hint', // OIDC Core §3.1.2.1
  otp: '123456', // Auth0 MFA grant
  oob_code: 'oob',
  binding_code: '42',
  recovery_code: 'rc',
  mfa_token: 'mfa',
  _csrf: 'csrf',
  xsrf: 'xsrf',
  new_password: 'n3w', // anything that looks like a password or secret
  Current_Password: 'old',
  api_secret: 'shh',
};

describe('event.request never carries credentials', () => {
  it('drops every credential from the body and the query, and keeps the rest', () => {
    const input = fullInput();
    input.request.body = { ...CREDENTIALS, grant_type: 'password', username: 'jdoe', scope: 'openid' };
    input.request.query = {
      ...CREDENTIALS,
      client_id: 'cli_123',
      state: 'st',
      nonce: 'n',
      login_hint: 'jdoe',
    };
    const { request } = buildPostLoginEvent(input);
    assert.deepEqual(request.body, { grant_type: 'password', username: 'jdoe', scope: 'openid' });
    assert.deepEqual(request.query, { client_id: 'cli_123', state: 'st', nonce: 'n', login_hint: 'jdoe' });
  });

  it('drops credentials nested in JSON bodies, inside objects and arrays', () => {
    const input = fullInput();
    input.request.body = {
      user: { email: 'a@b.test', password: 'p', profile: { client_secret: 's', city: 'Lyon' } },
      attempts: [{ otp: '1', at: 1 }, 'plain'],
    };
    assert.deepEqual(buildPostLoginEvent(input).request.body, {
      user: { email: 'a@b.test', profile: { city: 'Lyon' } },
      attempts: [{ at: 1 }, 'plain'],
    });
  });

  it('keeps what the redirect flow needs: state and the session_token read by validateToken', () => {
    for (const name of [
      'state',
      'session_token',
      'client_id',
      'redirect_uri',
      'scope',
      'username',
      'email',
    ]) {
      assert.equal(isSensitiveParam(name), false, name);
    }
  });

  it('matches names case-insensitively', () => {
    for (const name of ['PASSWORD', 'Client_Secret', 'Code', 'ID_TOKEN_HINT'])
      assert.equal(isSensitiveParam(name), true, name);
  });
});
