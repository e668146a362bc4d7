import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import type { PostLoginEvent } from '../../src/index.ts';
import { EC_CERT, RSA_CERT } from '../commands/fixtures.ts';
import { useRuntime } from '../runtime/helpers.ts';
import { assertCompleted, assertRefused, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA_KEY = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const RSA_PUBLIC = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;

const samlp = (event: PostLoginEvent) => {
  event.transaction.protocol = 'samlp';
};
const js = (value: unknown) => JSON.stringify(value);

/** Every setter other than setAttribute: a valid value, an invalid one and the message it gets. */
const SETTERS: Array<[name: string, valid: unknown, invalid: unknown, message: string]> = [
  [
    'setAudience',
    'urn:example:sp',
    'not a uri',
    'audience must be an absolute URI of at most 1024 characters, such as "urn:example:sp" or "https://sp.example.com" (got "not a uri")',
  ],
  [
    'setIssuer',
    'urn:tessera:acme',
    'acme',
    'issuer must be an absolute URI of at most 1024 characters, such as "urn:example:sp" or "https://sp.example.com" (got "acme")',
  ],
  [
    'setRecipient',
    'https://sp.example.com/acs',
    'ftp://sp.example.com/acs',
    'recipient must be an http: or https: URL (got a "ftp:" URL)',
  ],
  ['setDestination', 'https://sp.example.com/acs', 'acs', 'destination must be an absolute URL (got "acs")'],
  ['setRelayState', '/dashboard', 5, 'relayState must be a string (got a number)'],
  [
    'setNameIdentifierFormat',
    'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    '',
    'nameIdentifierFormat must be an absolute URI of at most 1024 characters, such as "urn:example:sp" or "https://sp.example.com" (got "")',
  ],
  [
    'setAuthnContextClassRef',
    'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    42,
    'authnContextClassRef must be an absolute URI of at most 1024 characters, such as "urn:example:sp" or "https://sp.example.com" (got a number)',
  ],
  ['setCreateUpnClaim', false, 'false', 'createUpnClaim must be a boolean (got a string)'],
  [
    'setPassthroughClaimsWithNoMapping',
    false,
    0,
    'passthroughClaimsWithNoMapping must be a boolean (got a number)',
  ],
  ['setMapUnknownClaimsAsIs', true, null, 'mapUnknownClaimsAsIs must be a boolean (got null)'],
  ['setMapIdentities', false, 'no', 'mapIdentities must be a boolean (got a string)'],
  ['setSignResponse', true, 1, 'signResponse must be a boolean (got a number)'],
  ['setIncludeAttributeNameFormat', false, [], 'includeAttributeNameFormat must be a boolean (got an array)'],
  ['setTypedAttributes', false, {}, 'typedAttributes must be a boolean (got an object)'],
  [
    'setSignatureAlgorithm',
    'rsa-sha1',
    'rsa-sha512',
    'signatureAlgorithm must be one of rsa-sha256, rsa-sha1 (got "rsa-sha512")',
  ],
  ['setDigestAlgorithm', 'sha1', 'md5', 'digestAlgorithm must be one of sha256, sha1 (got "md5")'],
  ['setLifetimeInSeconds', 600, 0, 'lifetimeInSeconds must be a positive integer number of seconds (got 0)'],
  [
    'setNameIdentifierProbes',
    ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'],
    [],
    'nameIdentifierProbes must be a non-empty array of attribute names (got an empty array)',
  ],
  [
    'setSigningCert',
    RSA_CERT,
    'MIIC8jCCAdqgAwIBAgIJObB6jmhG0QIEMA0GCSqGSIb3DQEBBQUAMCAxHjAcBgNV',
    'signingCert must be a single PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)',
  ],
  ['setEncryptionCert', RSA_CERT, EC_CERT, 'encryptionCert must hold an RSA key (got ec)'],
  [
    'setEncryptionPublicKey',
    RSA_PUBLIC,
    RSA_CERT,
    'encryptionPublicKey must be a single PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)',
  ],
  ['setCert', RSA_CERT, 42, 'cert must be a PEM certificate string (got a number)'],
  [
    'setKey',
    RSA_KEY,
    RSA_PUBLIC,
    'key must be a single PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- … -----END PRIVATE KEY-----)',
  ],
];

describe('api.samlResponse.setAttribute', () => {
  test('records attributes from the user profile; null and undefined remove one', async () => {
    const result = await runBody(
      fixture,
      `api.samlResponse.setAttribute('http://schemas.example.com/claims/department', event.user.user_metadata.department);
       api.samlResponse.setAttribute('http://schemas.example.com/claims/groups', ['eng', 'ops']);
       api.samlResponse.setAttribute('http://schemas.example.com/claims/seats', 3);
       api.samlResponse.setAttribute('http://schemas.example.com/claims/old', null);
       api.samlResponse.setAttribute('http://schemas.example.com/claims/older', undefined);`,
      {
        patch: (event) => {
          samlp(event);
          event.user.user_metadata.department = 'Engineering';
        },
      },
    );
    const attribute = (name: string, value: unknown) => ({
      type: 'samlResponse.setAttribute',
      attribute: `http://schemas.example.com/claims/${name}`,
      value,
    });
    assertCompleted(
      result,
      recorded(
        attribute('department', 'Engineering'),
        attribute('groups', ['eng', 'ops']),
        attribute('seats', 3),
        attribute('old', null),
        attribute('older', null),
      ),
    );
  });

  test('an object value fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.samlResponse.setAttribute('http://schemas.example.com/claims/address', { city: 'Paris' })`,
      'api.samlResponse.setAttribute: value must be a string, number, boolean, an array of those, or null to remove the attribute (got an object)',
      { patch: samlp },
    );
  });
});

describe('the other api.samlResponse setters', () => {
  test('each records its value, in call order', async () => {
    const body = SETTERS.map(([name, valid]) => `api.samlResponse.${name}(${js(valid)});`).join('\n');
    const result = await runBody(fixture, body, { patch: samlp });
    assertCompleted(
      result,
      recorded(...SETTERS.map(([name, valid]) => ({ type: `samlResponse.${name}`, value: valid }))),
    );
  });

  test('they return api, so calls chain', async () => {
    const result = await runBody(
      fixture,
      `api.samlResponse.setAudience('urn:example:sp').samlResponse.setLifetimeInSeconds(300).samlResponse.setSignResponse(true);`,
      { patch: samlp },
    );
    assertCompleted(
      result,
      recorded(
        { type: 'samlResponse.setAudience', value: 'urn:example:sp' },
        { type: 'samlResponse.setLifetimeInSeconds', value: 300 },
        { type: 'samlResponse.setSignResponse', value: true },
      ),
    );
  });

  for (const [name, , invalid, message] of SETTERS) {
    test(`${name} with an invalid value fails the action; caught, the run goes on`, async () => {
      await assertRefused(
        fixture,
        `api.samlResponse.${name}(${js(invalid)})`,
        `api.samlResponse.${name}: ${message}`,
        {
          patch: samlp,
        },
      );
    });
  }

  test('a signing key kept in a secret is recorded as a reference to that secret, never as its value', async () => {
    const result = await runBody(
      fixture,
      `api.samlResponse.setCert(${js(RSA_CERT)}).samlResponse.setKey(event.secrets.SAML_KEY);`,
      {
        patch: samlp,
        secrets: { SAML_KEY: RSA_KEY },
      },
    );
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(
      result.commands.map((c) => c.type),
      ['samlResponse.setCert', 'samlResponse.setKey'],
    );
    const [cert, key] = result.commands;
    // Compared by hand so a failure does not print the private key.
    assert.ok(cert && 'value' in cert && cert.value === RSA_CERT, 'the certificate was altered');
    assert.ok(key && 'value' in key && key.value === '[REDACTED]', 'the key value left the sandbox');
    assert.deepEqual(key?.secretRef, { actionId: result.actions[0]?.id, name: 'SAML_KEY' });
    assert.ok(
      !JSON.stringify(result).includes(RSA_KEY.split('\n')[1] ?? RSA_KEY),
      'the key appears in the result',
    );
  });
});
