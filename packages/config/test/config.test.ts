import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '@tessera/core';
import { describeOptions, loadConfig, tookDefault } from '../src/index.ts';

const load = (env: Record<string, string>, file?: unknown) =>
  loadConfig({
    env: file === undefined ? env : { TESSERA_CONFIG: '/etc/tessera.json', ...env },
    readFile: () => (typeof file === 'string' ? file : JSON.stringify(file)),
    cpus: 2,
  });

const rejects = (env: Record<string, string>, variable: string, message: RegExp, file?: unknown) => {
  assert.throws(
    () => load(env, file),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
      assert.equal(error.variable, variable);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /\n/, 'one line');
      return true;
    },
  );
};

describe('configuration', () => {
  it('has a documented default for every option', () => {
    const config = load({});
    assert.equal(config.http.port, 3000);
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.db.url, undefined);
    assert.equal(config.db.dataDir, './data');
    assert.equal(config.redis.url, undefined);
    assert.equal(config.tenancy.domain, 'localhost:3000');
    assert.equal(config.actions.workers, 2);
    assert.deepEqual(config.http.trustProxy, []);
    for (const { option } of describeOptions()) {
      assert.ok(option.doc.length > 10, `${option.env} is documented`);
      assert.ok(option.shownDefault.length > 0, `${option.env} shows its default`);
    }
  });

  it('reads environment variables and derives the default domain from PORT', () => {
    const config = load({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u@db:5432/t',
      TESSERA_TRUST_PROXY: '10.0.0.0/8, loopback',
    });
    assert.equal(config.http.port, 8080);
    assert.equal(config.tenancy.domain, 'localhost:8080');
    assert.equal(config.db.url, 'postgresql://u@db:5432/t');
    assert.deepEqual(config.http.trustProxy, ['10.0.0.0/8', 'loopback']);
  });

  it('binds all interfaces by default inside Docker', () => {
    assert.equal(loadConfig({ env: {}, inDocker: true }).http.host, '0.0.0.0');
  });

  it('reads the JSON file named by TESSERA_CONFIG, and the environment wins over it', () => {
    const config = load(
      { PORT: '4000' },
      { http: { port: 5000, bodyLimitBytes: 2048 }, logging: { level: 'warn' } },
    );
    assert.equal(config.http.port, 4000);
    assert.equal(config.http.bodyLimitBytes, 2048);
    assert.equal(config.logging.level, 'warn');
  });

  it('is frozen, area by area', () => {
    const config = load({});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.http));
    assert.throws(() => {
      (config.http as { port: number }).port = 1;
    }, TypeError);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(load({ DATABASE_URL: '', PORT: ' ' }).db.url, undefined);
  });

  it('names the variable and the problem for every kind of wrong value', () => {
    rejects({ PORT: 'eighty' }, 'PORT', /must be an integer, got "eighty"/);
    rejects({ PORT: '70000' }, 'PORT', /between 0 and 65535/);
    rejects({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres:\/\/ or postgresql:\/\/ URL/);
    rejects({ DATABASE_URL: 'not a url' }, 'DATABASE_URL', /must be a URL/);
    rejects({ REDIS_URL: 'http://x' }, 'REDIS_URL', /redis:\/\/ or rediss:\/\//);
    rejects({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of fatal, error/);
    rejects({ TESSERA_MASTER_KEY: 'short' }, 'TESSERA_MASTER_KEY', /32 bytes/);
    rejects({ TESSERA_TRUST_PROXY: 'example.com' }, 'TESSERA_TRUST_PROXY', /not an IP address/);
    rejects({ TESSERA_DOMAIN: 'Auth.Example.com' }, 'TESSERA_DOMAIN', /lowercase host name/);
    rejects({ TESSERA_TLS_CERT_FILE: '/c.pem' }, 'TESSERA_TLS_KEY_FILE', /must be set together/);
  });

  describe('TESSERA_GEOIP_DB', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-geoip-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, content: string | Buffer) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    // What the check looks for: MaxMind DB metadata starts after this marker, within the last 128 KiB.
    const marker = Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1');

    it('is unset by default, and accepts a readable MaxMind DB file', () => {
      assert.equal(load({}).geoip.database, undefined);
      const mmdb = write('City.mmdb', Buffer.concat([Buffer.alloc(4096), marker, Buffer.from('metadata')]));
      assert.equal(load({ TESSERA_GEOIP_DB: mmdb }).geoip.database, mmdb);
      assert.equal(load({}, { geoip: { database: mmdb } }).geoip.database, mmdb);
    });

    it('names the variable for a missing path, a folder, or a file that is not a MaxMind DB', () => {
      const missing = join(dir, 'GeoLite2-City.mmdb');
      rejects(
        { TESSERA_GEOIP_DB: missing },
        'TESSERA_GEOIP_DB',
        /^TESSERA_GEOIP_DB: cannot read .*GeoLite2-City\.mmdb: file not found$/,
      );
      rejects({ TESSERA_GEOIP_DB: dir }, 'TESSERA_GEOIP_DB', /cannot read .*: not a file$/);
      const csv = write('GeoLite2-City-Blocks-IPv4.csv', 'network,geoname_id\n81.2.69.0/24,2643743\n');
      rejects({ TESSERA_GEOIP_DB: csv }, 'TESSERA_GEOIP_DB', /\.csv is not a MaxMind DB \(\.mmdb\) file$/);
      // The marker only counts in the metadata section at the end (a truncated download loses it).
      const truncated = write('truncated.mmdb', Buffer.concat([marker, Buffer.alloc(200 * 1024)]));
      rejects({ TESSERA_GEOIP_DB: truncated }, 'TESSERA_GEOIP_DB', /is not a MaxMind DB/);
      rejects({}, 'TESSERA_CONFIG geoip.database', /file not found/, { geoip: { database: missing } });
    });

    it('names the variable for a file it may not read', {
      skip: process.getuid?.() === 0 && 'root reads any file',
    }, () => {
      const locked = write('locked.mmdb', Buffer.concat([marker, Buffer.from('metadata')]));
      chmodSync(locked, 0o000);
      rejects(
        { TESSERA_GEOIP_DB: locked },
        'TESSERA_GEOIP_DB',
        /cannot read .*locked\.mmdb: permission denied$/,
      );
    });
  });

  it('rejects a bad config file: unreadable, not JSON, unknown area or option, wrong type', () => {
    assert.throws(
      () => loadConfig({ env: { TESSERA_CONFIG: '/nope/x.json' } }),
      /TESSERA_CONFIG: cannot read \/nope\/x.json: file not found/,
    );
    rejects({}, 'TESSERA_CONFIG', /cannot read/, '{ not json');
    rejects({}, 'TESSERA_CONFIG', /JSON object of areas/, [1]);
    rejects({}, 'TESSERA_CONFIG htp', /unknown area/, { htp: {} });
    rejects({}, 'TESSERA_CONFIG http.prot', /unknown option/, { http: { prot: 1 } });
    rejects({}, 'TESSERA_CONFIG http.port', /must be an integer/, { http: { port: 'x' } });
    rejects({}, 'TESSERA_CONFIG db.dataDir', /must be a string/, { db: { dataDir: { a: 1 } } });
  });
});

describe('tookDefault', () => {
  it('tells an option the environment or the file gave from one that took its default', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tessera-config-')), 'config.json');
    writeFileSync(file, JSON.stringify({ http: { port: 8080 } }));
    try {
      const config = loadConfig({
        env: { TESSERA_CONFIG: file, TESSERA_DOMAIN: 'id.example.com', LOG_LEVEL: ' ' },
      });
      assert.equal(tookDefault(config, 'tenancy', 'domain'), false, 'from the environment');
      assert.equal(tookDefault(config, 'http', 'port'), false, 'from the file');
      assert.equal(tookDefault(config, 'logging', 'level'), true, 'a blank variable is unset');
      assert.equal(tookDefault(loadConfig({ env: {} }), 'tenancy', 'domain'), true);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
