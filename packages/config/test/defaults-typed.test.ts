import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@tessera/core';
import { type Config, describeOptions, loadConfig } from '../src/index.ts';

// An option with a default is present in the loaded configuration, and its type says so: use sites
// read `config.db.dataDir` as a string, with no `!` and no second default of their own.

const empty = () => loadConfig({ env: {}, cpus: 2 });

describe('configuration defaults', () => {
  it('types every option that has a default as present', () => {
    const config: Config = empty();
    // Compile-time half (pnpm typecheck covers this file): these assignments need no `!`.
    const present: Record<string, string> = {
      dataDir: config.db.dataDir,
      host: config.http.host,
      prefix: config.redis.prefix,
      domain: config.tenancy.domain,
      defaultTenant: config.tenancy.defaultTenant,
      frameAncestors: config.http.frameAncestors,
    };
    assert.deepEqual(present, {
      dataDir: './data',
      host: '127.0.0.1',
      prefix: 'tessera:',
      domain: 'localhost:3000',
      defaultTenant: 'default',
      frameAncestors: "'none'",
    });
    // Options without a default stay optional in the type: this one must be narrowed before use.
    const url: string | undefined = config.db.url;
    assert.equal(url, undefined);
  });

  it('fills every option that has a default, and leaves only the ones shown as unset empty', () => {
    const config = empty() as unknown as Record<string, Record<string, unknown>>;
    for (const { area, key, option } of describeOptions()) {
      const value = config[area]?.[key];
      const fallback = option.fallback({ cpus: 2, inDocker: false, env: {} });
      if (fallback === undefined) {
        assert.equal(value, undefined, `${option.env} has no default`);
        assert.match(option.shownDefault, /unset|generated/, `${option.env} shows that it is unset`);
      } else {
        assert.notEqual(value, undefined, `${option.env} defaults to ${option.shownDefault}`);
      }
    }
  });

  it('has no option that nothing reads: the SAML and mail areas left with their features', () => {
    const variables = describeOptions().map(({ option }) => option.env);
    for (const gone of [
      'TESSERA_SAML_CLOCK_SKEW_S',
      'TESSERA_SAML_ALLOW_SHA1',
      'TESSERA_SMTP_URL',
      'TESSERA_MAIL_FROM',
    ]) {
      assert.ok(!variables.includes(gone), `${gone} is not an option`);
    }
    // A config file still naming them is refused with one line, as any unknown area is.
    for (const area of ['saml', 'mail']) {
      assert.throws(
        () =>
          loadConfig({
            env: { TESSERA_CONFIG: '/etc/tessera.json' },
            readFile: () => JSON.stringify({ [area]: {} }),
          }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === `TESSERA_CONFIG ${area}` &&
          /unknown area/.test(error.message),
      );
    }
  });
});
