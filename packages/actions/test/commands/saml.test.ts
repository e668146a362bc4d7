import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { EC_CERT, RSA_CERT } from './fixtures.ts';
import { error, once } from './helpers.ts';

const set = (name: string, ...args: unknown[]) => once(`samlResponse.${name}`, args);
const recorded = (name: string, value: unknown) => [{ action: 'first', type: `samlResponse.${name}`, value }];

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA_PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const RSA_PKCS1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const RSA_SPKI = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const EC_PKCS8 = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const EC_SPKI = ec.publicKey.export({ type: 'spki', format: 'pem' }) as string;

describe('api.samlResponse.setAttribute', () => {
  it('records scalars and arrays of scalars', () => {
    for (const value of ['Engineering', 42, true, ['a', 1, false]]) {
      const { result, commands } = set('setAttribute', 'http://schemas.example.com/claims/dept', value);
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(commands, [
        {
          action: 'first',
          type: 'samlResponse.setAttribute',
          attribute: 'http://schemas.example.com/claims/dept',
          value,
        },
      ]);
    }
  });

  it('records null or undefined as null: the attribute is removed', () => {
    for (const value of [null, undefined]) {
      assert.deepEqual(set('setAttribute', 'dept', value).commands, [
        { action: 'first', type: 'samlResponse.setAttribute', attribute: 'dept', value: null },
      ]);
    }
  });

  it('refuses objects, nested arrays and bad names', () => {
    const rule =
      'api.samlResponse.setAttribute: value must be a string, number, boolean, an array of those, or null to remove the attribute';
    assert.deepEqual(set('setAttribute', 'dept', { a: 1 }).result, error(`${rule} (got an object)`));
    assert.deepEqual(set('setAttribute', 'dept', [['a']]).result, error(`${rule} (got an array)`));
    assert.deepEqual(set('setAttribute', 'dept', [null]).result, error(`${rule} (got an array)`));
    assert.deepEqual(
      set('setAttribute', '', 'x').result,
      error('api.samlResponse.setAttribute: attribute must be a non-empty string (got an empty string)'),
    );
    assert.deepEqual(
      set('setAttribute', '__proto__', 'x').result,
      error(
        'api.samlResponse.setAttribute: attribute "__proto__" is a reserved JavaScript property name and cannot be used',
      ),
    );
  });
});

describe('api.samlResponse boolean settings', () => {
  for (const name of [
    'setCreateUpnClaim',
    'setPassthroughClaimsWithNoMapping',
    'setMapUnknownClaimsAsIs',
    'setMapIdentities',
    'setSignResponse',
    'setIncludeAttributeNameFormat',
    'setTypedAttributes',
  ]) {
    it(`${name} takes a boolean and nothing else`, () => {
      assert.deepEqual(set(name, false).commands, recorded(name, false));
      assert.deepEqual(set(name, true).commands, recorded(name, true));
      const param = name.charAt(3).toLowerCase() + name.slice(4);
      assert.deepEqual(
        set(name, 'true').result,
        error(`api.samlResponse.${name}: ${param} must be a boolean (got a string)`),
      );
      assert.deepEqual(
        set(name, 1).result,
        error(`api.samlResponse.${name}: ${param} must be a boolean (got a number)`),
      );
    });
  }
});

describe('api.samlResponse URI settings', () => {
  for (const name of ['setAudience', 'setIssuer', 'setNameIdentifierFormat', 'setAuthnContextClassRef']) {
    it(`${name} takes an absolute URI or URN`, () => {
      const param = name.charAt(3).toLowerCase() + name.slice(4);
      for (const value of [
        'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
        'https://sp.example.com/meta',
      ]) {
        assert.deepEqual(set(name, value).commands, recorded(name, value));
      }
      const rule = `api.samlResponse.${name}: ${param} must be an absolute URI of at most 1024 characters, such as "urn:example:sp" or "https://sp.example.com"`;
      assert.deepEqual(set(name, 'my-sp').result, error(`${rule} (got "my-sp")`));
      assert.deepEqual(set(name, 'urn:has space').result, error(`${rule} (got "urn:has space")`));
      assert.deepEqual(
        set(name, `urn:${'x'.repeat(1100)}`).result,
        error(`${rule} (got "urn:${'x'.repeat(60)}…")`),
      );
      assert.deepEqual(set(name, 5).result, error(`${rule} (got a number)`));
    });
  }

  for (const name of ['setRecipient', 'setDestination']) {
    it(`${name} takes an http(s) URL`, () => {
      const param = name.charAt(3).toLowerCase() + name.slice(4);
      assert.deepEqual(
        set(name, 'https://sp.example.com/acs').commands,
        recorded(name, 'https://sp.example.com/acs'),
      );
      assert.deepEqual(
        set(name, 'urn:x').result,
        error(`api.samlResponse.${name}: ${param} must be an http: or https: URL (got a "urn:" URL)`),
      );
      assert.deepEqual(
        set(name, '/acs').result,
        error(`api.samlResponse.${name}: ${param} must be an absolute URL (got "/acs")`),
      );
    });
  }

  it('setRelayState takes any string', () => {
    assert.deepEqual(set('setRelayState', 'abc/123').commands, recorded('setRelayState', 'abc/123'));
    assert.deepEqual(
      set('setRelayState', 1).result,
      error('api.samlResponse.setRelayState: relayState must be a string (got a number)'),
    );
  });
});

describe('api.samlResponse algorithm and lifetime settings', () => {
  it('setSignatureAlgorithm takes rsa-sha256 or rsa-sha1', () => {
    assert.deepEqual(
      set('setSignatureAlgorithm', 'rsa-sha1').commands,
      recorded('setSignatureAlgorithm', 'rsa-sha1'),
    );
    assert.deepEqual(
      set('setSignatureAlgorithm', 'rsa-sha256').commands,
      recorded('setSignatureAlgorithm', 'rsa-sha256'),
    );
    assert.deepEqual(
      set('setSignatureAlgorithm', 'hs256').result,
      error(
        'api.samlResponse.setSignatureAlgorithm: signatureAlgorithm must be one of rsa-sha256, rsa-sha1 (got "hs256")',
      ),
    );
  });

  it('setDigestAlgorithm takes sha256 or sha1', () => {
    assert.deepEqual(set('setDigestAlgorithm', 'sha1').commands, recorded('setDigestAlgorithm', 'sha1'));
    assert.deepEqual(
      set('setDigestAlgorithm', 'md5').result,
      error('api.samlResponse.setDigestAlgorithm: digestAlgorithm must be one of sha256, sha1 (got "md5")'),
    );
  });

  it('setLifetimeInSeconds takes a positive integer', () => {
    assert.deepEqual(set('setLifetimeInSeconds', 600).commands, recorded('setLifetimeInSeconds', 600));
    const rule =
      'api.samlResponse.setLifetimeInSeconds: lifetimeInSeconds must be a positive integer number of seconds';
    assert.deepEqual(set('setLifetimeInSeconds', 0).result, error(`${rule} (got 0)`));
    assert.deepEqual(set('setLifetimeInSeconds', 1.5).result, error(`${rule} (got 1.5)`));
    assert.deepEqual(set('setLifetimeInSeconds', '600').result, error(`${rule} (got a string)`));
  });

  it('setNameIdentifierProbes takes a non-empty array of attribute names', () => {
    const probes = ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'];
    assert.deepEqual(
      set('setNameIdentifierProbes', probes).commands,
      recorded('setNameIdentifierProbes', probes),
    );
    const rule = 'api.samlResponse.setNameIdentifierProbes: nameIdentifierProbes';
    assert.deepEqual(
      set('setNameIdentifierProbes', []).result,
      error(`${rule} must be a non-empty array of attribute names (got an empty array)`),
    );
    assert.deepEqual(
      set('setNameIdentifierProbes', 'email').result,
      error(`${rule} must be a non-empty array of attribute names (got a string)`),
    );
    assert.deepEqual(
      set('setNameIdentifierProbes', ['a', 2]).result,
      error(`${rule}[1] must be a non-empty string (got a number)`),
    );
  });
});

describe('api.samlResponse certificates and keys', () => {
  for (const name of ['setSigningCert', 'setEncryptionCert', 'setCert']) {
    it(`${name} takes one PEM X.509 certificate with an RSA key`, () => {
      const w = `api.samlResponse.${name}: ${name.charAt(3).toLowerCase() + name.slice(4)}`;
      assert.deepEqual(set(name, RSA_CERT).commands, recorded(name, RSA_CERT));
      const shape = `${w} must be a single PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)`;
      assert.deepEqual(set(name, RSA_SPKI).result, error(shape));
      assert.deepEqual(
        set(name, 'MIIC8jCCAdqgAwIBAgIJObB6jmhG0QIEMA0GCSqGSIb3DQEBBQUAMCAxHjAcBgNV').result,
        error(shape),
      );
      assert.deepEqual(set(name, RSA_CERT + RSA_CERT).result, error(shape));
      const garbage = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----';
      assert.deepEqual(set(name, garbage).result, error(`${w} could not be parsed as a PEM certificate`));
      assert.deepEqual(set(name, EC_CERT).result, error(`${w} must hold an RSA key (got ec)`));
      assert.deepEqual(set(name, 7).result, error(`${w} must be a PEM certificate string (got a number)`));
    });
  }

  it('setEncryptionPublicKey takes one PEM RSA public key', () => {
    const w = 'api.samlResponse.setEncryptionPublicKey: encryptionPublicKey';
    assert.deepEqual(
      set('setEncryptionPublicKey', RSA_SPKI).commands,
      recorded('setEncryptionPublicKey', RSA_SPKI),
    );
    assert.deepEqual(
      set('setEncryptionPublicKey', RSA_CERT).result,
      error(`${w} must be a single PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)`),
    );
    assert.deepEqual(
      set('setEncryptionPublicKey', EC_SPKI).result,
      error(`${w} must hold an RSA key (got ec)`),
    );
  });

  it('setKey takes one PEM RSA private key, PKCS#8 or PKCS#1', () => {
    const w = 'api.samlResponse.setKey: key';
    assert.deepEqual(set('setKey', RSA_PKCS8).commands, recorded('setKey', RSA_PKCS8));
    assert.deepEqual(set('setKey', RSA_PKCS1).commands, recorded('setKey', RSA_PKCS1));
    assert.deepEqual(
      set('setKey', RSA_SPKI).result,
      error(
        `${w} must be a single PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- … -----END PRIVATE KEY-----)`,
      ),
    );
    assert.deepEqual(set('setKey', EC_PKCS8).result, error(`${w} must hold an RSA key (got ec)`));
    const truncated = `${RSA_PKCS8.slice(0, 200)}\n-----END PRIVATE KEY-----`;
    assert.deepEqual(set('setKey', truncated).result, error(`${w} could not be parsed as a PEM private key`));
  });
});
