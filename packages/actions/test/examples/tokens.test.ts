import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertCompleted, messages } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';
import { commandsOf, runScript } from './load.ts';

const fixture = useRuntime({ workers: 1 });
const NS = 'https://my-app.example.com';

describe('add-roles-to-tokens.js', () => {
  test('puts event.authorization.roles in a namespaced claim on both tokens', async () => {
    const name = 'add-roles-to-tokens';
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.authorization.roles = ['admin', 'billing'];
      },
    });
    assertCompleted(
      result,
      commandsOf(name)(
        { type: 'idToken.setCustomClaim', key: `${NS}/roles`, value: ['admin', 'billing'] },
        { type: 'accessToken.setCustomClaim', key: `${NS}/roles`, value: ['admin', 'billing'] },
      ),
    );
  });
});

describe('add-scopes-for-admins.js', () => {
  const name = 'add-scopes-for-admins';
  test('adds the admin scopes for an admin requesting the API', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.authorization.roles = ['editor', 'admin'];
      },
    });
    assertCompleted(
      result,
      commandsOf(name)(
        { type: 'accessToken.addScope', scope: 'read:admin' },
        { type: 'accessToken.addScope', scope: 'write:admin' },
      ),
    );
  });

  test('adds nothing for other users', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('remove-scope.js', () => {
  const name = 'remove-scope';
  test('removes delete:records from a user who may not delete', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.transaction.requested_scopes = ['openid', 'read:records', 'delete:records'];
      },
    });
    assertCompleted(result, commandsOf(name)({ type: 'accessToken.removeScope', scope: 'delete:records' }));
    assert.deepEqual(messages(result), ['removed delete:records for auth0|64f1c2a9e4b0a1b2c3d4e5f6']);
  });

  test('keeps it for a user allowed to delete', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.transaction.requested_scopes = ['openid', 'delete:records'];
        event.user.app_metadata.can_delete = true;
      },
    });
    assertCompleted(result, []);
  });
});

describe('organization-claim.js', () => {
  const name = 'organization-claim';
  test('adds the organization to the ID token and its plan to the access token', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.organization = {
          id: 'org_9ybsU1dN2dKfDkBi',
          name: 'acme',
          display_name: 'Acme Corp',
          metadata: { plan: 'enterprise' },
        };
      },
    });
    assertCompleted(
      result,
      commandsOf(name)(
        {
          type: 'idToken.setCustomClaim',
          key: `${NS}/organization`,
          value: { id: 'org_9ybsU1dN2dKfDkBi', name: 'acme', display_name: 'Acme Corp' },
        },
        { type: 'accessToken.setCustomClaim', key: `${NS}/org_plan`, value: 'enterprise' },
      ),
    );
  });

  test('adds nothing outside an organization', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('saml-attributes.js', () => {
  const name = 'saml-attributes';
  test('maps user_metadata to SAML attributes and removes the UPN', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.transaction.protocol = 'samlp';
        event.user.user_metadata = {
          department: 'Engineering',
          employee_id: 4711,
          groups: ['eng', 'oncall'],
        };
      },
    });
    const attribute = (attribute: string, value: unknown) => ({
      type: 'samlResponse.setAttribute',
      attribute,
      value,
    });
    assertCompleted(
      result,
      commandsOf(name)(
        attribute('http://schemas.example.com/claims/department', 'Engineering'),
        attribute('http://schemas.example.com/claims/employee_id', 4711),
        attribute('http://schemas.example.com/claims/groups', ['eng', 'oncall']),
        attribute('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', null),
      ),
    );
  });

  test('does nothing for an OIDC login', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('saml-audience-and-lifetime.js', () => {
  test('configures the HR portal assertion', async () => {
    const name = 'saml-audience-and-lifetime';
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.transaction.protocol = 'samlp';
        event.client.client_id = 'hr-portal-client-id';
      },
    });
    assertCompleted(
      result,
      commandsOf(name)(
        { type: 'samlResponse.setAudience', value: 'urn:acme:hr-portal' },
        { type: 'samlResponse.setRecipient', value: 'https://hr.example.com/saml/acs' },
        { type: 'samlResponse.setLifetimeInSeconds', value: 600 },
        { type: 'samlResponse.setSignResponse', value: true },
        {
          type: 'samlResponse.setNameIdentifierFormat',
          value: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        },
      ),
    );
  });
});
