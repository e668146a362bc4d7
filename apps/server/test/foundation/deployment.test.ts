import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configTable, describeOptions } from '@tessera/config';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../../../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
/** Table rows as trimmed cells, so a formatter's column padding does not matter. */
const cells = (table: string) =>
  table
    .split('\n')
    .filter((row) => !/^\|[\s|:-]+\|$/.test(row))
    .map((row) =>
      row
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
const configVariables = new Set(describeOptions().map(({ option }) => option.env));

describe('README', () => {
  it('lists every configuration variable with its default, exactly as the schema defines them', () => {
    const readme = read('README.md');
    const table = readme.match(/<!-- config-table:start[^>]*-->\n([\s\S]*?)\n<!-- config-table:end -->/)?.[1];
    assert.ok(table, 'the README has the generated table');
    assert.deepEqual(
      cells(table),
      cells(configTable()),
      'regenerate with `node packages/config/src/readme-table.ts`',
    );
    assert.match(readme, /TESSERA_CONFIG/);
  });

  it('gives the two commands', () => {
    const readme = read('README.md');
    assert.match(readme, /pnpm install && pnpm start/);
    assert.match(readme, /pnpm test/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: { test: string[] };
        volumes?: string[];
        image?: string;
        build?: string;
      }
    >;
    volumes: Record<string, unknown>;
  };

  it('runs Tessera with Postgres and Redis, each with a health check and a volume', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['postgres', 'proxy', 'redis', 'tessera']);
    for (const [name, service] of Object.entries(compose.services)) {
      assert.ok(service.healthcheck?.test.length, `${name} has a health check`);
      for (const volume of service.volumes ?? [])
        assert.ok(volume.split(':')[0]! in compose.volumes, `${name}: volume ${volume} declared`);
      assert.ok(service.volumes?.length, `${name} keeps its data in a volume`);
    }
    assert.deepEqual(compose.services.tessera!.depends_on, {
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('gives Tessera only variables its configuration knows, wired to the other services', () => {
    const env = compose.services.tessera!.environment!;
    for (const name of Object.keys(env))
      assert.ok(configVariables.has(name), `${name} is a Tessera variable`);
    const db = new URL(env.DATABASE_URL!);
    const pg = compose.services.postgres!.environment!;
    assert.equal(db.hostname, 'postgres');
    assert.equal(db.username, pg.POSTGRES_USER);
    assert.equal(db.password, pg.POSTGRES_PASSWORD);
    assert.equal(db.pathname, `/${pg.POSTGRES_DB}`);
    assert.equal(new URL(env.REDIS_URL!).hostname, 'redis');
    assert.match(
      env.TESSERA_MASTER_KEY!,
      /TESSERA_MASTER_KEY:\?/,
      'the master key must be provided, not baked in',
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('is multi-stage on node:24-slim, runs as a non-root user with --no-node-snapshot and checks /health', () => {
    assert.equal(dockerfile.match(/^FROM node:24-slim/gm)?.length, 2);
    assert.match(dockerfile, /^USER tessera$/m);
    assert.match(dockerfile, /CMD \["node", "--no-node-snapshot", "apps\/server\/src\/main.ts"\]/);
    assert.match(dockerfile, /HEALTHCHECK[\s\S]*\/health/);
    for (const name of dockerfile
      .match(/^ENV (.*)$/gm)
      ?.at(-1)
      ?.slice(4)
      .split(' ')
      .map((kv) => kv.split('=')[0]!) ?? []) {
      assert.ok(configVariables.has(name) || name === 'NODE_ENV', `${name} is a Tessera variable`);
    }
  });
});
