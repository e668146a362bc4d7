import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { action, folder, report, tessera } from './helpers.ts';

const dir = folder({
  'claims.js': action(
    "  console.log('logging in', event.user.email);\n" +
      "  console.warn('plan is', event.user.app_metadata.plan);\n" +
      "  api.idToken.setCustomClaim('https://example.com/plan', event.user.app_metadata.plan);\n" +
      "  api.accessToken.setCustomClaim('https://example.com/roles', ['admin']);",
  ),
  'deny.js': action("  console.log('denying');\n  api.access.deny('not on the guest list');"),
  'redirect.js': action("  api.redirect.sendUserTo('https://idv.example.com/check');"),
});

describe('tessera actions run: output', () => {
  it('prints the outcome, every command with its arguments and every log line', () => {
    const exit = tessera(['actions', 'run', 'claims.js'], { cwd: dir });
    assert.equal(exit.status, 0, exit.stderr);
    const lines = exit.stdout.trimEnd().split('\n');
    assert.match(lines[0] as string, /^outcome: completed \(\d+ ms\)$/);
    assert.deepEqual(lines.slice(1, 4), [
      'commands (2):',
      '  idToken.setCustomClaim {"key":"https://example.com/plan","value":"pro"}',
      '  accessToken.setCustomClaim {"key":"https://example.com/roles","value":["admin"]}',
    ]);
    assert.equal(lines[4], 'logs (2):');
    assert.match(
      lines[5] as string,
      /^ {2}\d{4}-\d\d-\d\dT[\d:.]+Z log {3}logging in jane\.doe@example\.com$/,
    );
    assert.match(lines[6] as string, /^ {2}\S+ warn {2}plan is pro$/);
    assert.equal(lines.length, 7);
  });

  it('with --json prints exactly one object: outcome, commands, logs, durationMs', () => {
    const result = report(tessera(['actions', 'run', 'claims.js', '--json'], { cwd: dir }));
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(
      result.commands.map(({ action: _action, ...command }) => command),
      [
        { type: 'idToken.setCustomClaim', key: 'https://example.com/plan', value: 'pro' },
        { type: 'accessToken.setCustomClaim', key: 'https://example.com/roles', value: ['admin'] },
      ],
    );
    assert.deepEqual(
      result.logs.map(({ level, message }) => [level, message]),
      [
        ['log', 'logging in jane.doe@example.com'],
        ['warn', 'plan is pro'],
      ],
    );
    assert.ok(Number.isInteger(result.durationMs) && result.durationMs >= 0);
  });

  it('exits 0 on a denial and reports it, in text and in JSON', () => {
    const text = tessera(['actions', 'run', 'deny.js'], { cwd: dir });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^outcome: denied \(\d+ ms\)\ndenied by: access\.deny\n/);
    assert.match(text.stdout, /\n {2}access\.deny \{"reason":"not on the guest list"\}\n/);

    const json = tessera(['actions', 'run', 'deny.js', '--json'], { cwd: dir });
    assert.equal(json.status, 0, json.stderr);
    const result = report(json, 'denial');
    assert.equal(result.outcome, 'denied');
    assert.equal(result.denial?.type, 'access.deny');
    assert.equal(result.denial?.reason, 'not on the guest list');
    assert.deepEqual(
      result.logs.map((entry) => entry.message),
      ['denying'],
    );
  });

  it('reports a pausing command (a redirect) as completed with pause', () => {
    const exit = tessera(['actions', 'run', 'redirect.js', '--json'], { cwd: dir });
    assert.equal(exit.status, 0, exit.stderr);
    const result = report(exit, 'pause');
    assert.equal(result.outcome, 'completed');
    assert.equal(result.pause?.type, 'redirect.sendUserTo');
  });
});
