import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Storage } from '@tessera/storage';
import { createTestEnvironment, type TestEnvironment } from '@tessera/testing';
import { tessera, withStorage as withStorageOf } from './helpers.ts';

// The record a login's log line names, read back from a real installation (embedded PGlite in a temp
// data dir, or a database of its own on DATABASE_URL) by the command an operator debugs with.
describe('tessera actions execution', () => {
  let environment: TestEnvironment;
  let executionId: string;

  const withStorage = <T>(fn: (storage: Storage) => Promise<T>) => withStorageOf(environment, fn);
  const execution = (args: string[]) =>
    tessera(['actions', 'execution', ...args], { env: { ...environment.env } });

  before(async () => {
    environment = await createTestEnvironment();
    executionId = await withStorage(async (storage) => {
      const tenant = await storage.tenants.create({
        name: 'default',
        domains: ['localhost:3000'],
        isDefault: true,
      });
      return storage.executions.create(tenant.id, {
        triggerId: 'post-login',
        status: 'error',
        results: [
          {
            action_id: 'a1',
            action_name: 'Roles',
            version_id: 'v-1',
            handler: 'onExecutePostLogin',
            duration_ms: 3,
            error: null,
            commands: [
              { type: 'idToken.setCustomClaim', action: 'Roles', key: 'https://x/roles', value: ['admin'] },
            ],
            logs: [
              { action: 'Roles', level: 'log', message: 'hello [REDACTED]', at: Date.UTC(2026, 10, 26) },
            ],
          },
          {
            action_id: 'a2',
            action_name: 'Broken',
            version_id: 'v-2',
            handler: 'onExecutePostLogin',
            duration_ms: 1,
            error: { kind: 'runtime', message: 'TypeError: x is not a function (action.js:2:3)' },
            commands: [],
            logs: [],
          },
          { error: { kind: 'runtime', message: 'TypeError: x is not a function (action.js:2:3)' } },
        ],
        clientId: 'client-1',
        userId: 'auth0|1',
        startedAt: new Date(Date.UTC(2026, 10, 26, 12)),
        endedAt: new Date(Date.UTC(2026, 10, 26, 12, 0, 0, 4)),
        durationMs: 4,
      });
    });
  });
  after(() => environment.cleanup());

  it('prints each action with its version, duration, error, commands and logs', () => {
    const exit = execution([executionId]);
    assert.equal(exit.status, 0, exit.stderr);
    assert.equal(
      exit.stdout,
      [
        `execution ${executionId}: post-login error in 4 ms (2026-11-26T12:00:00.000Z, user auth0|1, client client-1)`,
        '  Roles onExecutePostLogin version v-1: 3 ms',
        '    idToken.setCustomClaim {"key":"https://x/roles","value":["admin"]}',
        '    2026-11-26T00:00:00.000Z log   hello [REDACTED]',
        '  Broken onExecutePostLogin version v-2: 1 ms, failed (runtime): TypeError: x is not a function (action.js:2:3)',
        '  run failed (runtime): TypeError: x is not a function (action.js:2:3)',
        '',
      ].join('\n'),
    );
  });

  it('--json prints the record as stored', () => {
    const exit = execution([executionId, '--json']);
    assert.equal(exit.status, 0, exit.stderr);
    const record = JSON.parse(exit.stdout) as { id: string; status: string; results: unknown[] };
    assert.equal(record.id, executionId);
    assert.equal(record.status, 'error');
    assert.equal(record.results.length, 3);
  });

  it('an unknown id or tenant exits 1 with one line; a missing id is a usage error', () => {
    const unknown = execution(['00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.status, 1);
    assert.match(
      unknown.stderr,
      /^tessera: no execution 00000000-0000-4000-8000-000000000000 in tenant default\n$/,
    );
    const malformed = execution(['not-an-id']);
    assert.equal(malformed.status, 1);
    assert.match(malformed.stderr, /^tessera: no execution not-an-id in tenant default\n$/);
    const tenant = execution([executionId, '--tenant', 'nope']);
    assert.equal(tenant.status, 1);
    assert.match(tenant.stderr, /unknown tenant nope/);
    const missing = execution([]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /needs exactly one execution id/);
  });
});
