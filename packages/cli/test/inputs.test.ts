import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { action, folder, REPO, report, tessera } from './helpers.ts';

const SECRET = 'sk_live_9f8e7d6c5b4a';

const dir = folder({
  'echo.js': action(
    '  api.idToken.setCustomClaim("https://x/email", event.user.email);\n' +
      '  api.idToken.setCustomClaim("https://x/name", event.user.name);\n' +
      '  api.idToken.setCustomClaim("https://x/plan", event.user.app_metadata.plan);\n' +
      '  api.idToken.setCustomClaim("https://x/ip", event.request.ip);\n' +
      '  api.idToken.setCustomClaim("https://x/secret-names", Object.keys(event.secrets));',
  ),
  'uses-secret.js': action(
    '  api.idToken.setCustomClaim("https://x/key-length", event.secrets.API_KEY.length);\n' +
      '  console.log("calling the API with", event.secrets.API_KEY);',
  ),
  'continues.js': action(
    '  api.redirect.sendUserTo("https://idv.example.com/check");',
    'exports.onContinuePostLogin = async (event, api) => {\n' +
      '  console.log("back from the check");\n' +
      '  api.accessToken.setCustomClaim("https://x/verified", true);\n' +
      '};\n',
  ),
  'partial.json': JSON.stringify({ user: { email: 'ada@lovelace.dev', app_metadata: { plan: 'free' } } }),
  'secrets.json': JSON.stringify({ API_KEY: SECRET }),
});

/** The custom claims a run set, by claim name. */
const claims = (stdout: string) =>
  Object.fromEntries(
    report({ status: 0, stdout, stderr: '' }).commands.map((command) => [command.key, command.value]),
  );

describe('tessera actions run: inputs', () => {
  it('without --event, runs against the realistic default event', () => {
    const exit = tessera(['actions', 'run', 'echo.js', '--json'], { cwd: dir });
    assert.equal(exit.status, 0, exit.stderr);
    const set = claims(exit.stdout);
    assert.equal(set['https://x/email'], 'jane.doe@example.com');
    assert.equal(set['https://x/plan'], 'pro');
    assert.deepEqual(set['https://x/secret-names'], []);
  });

  it('merges a partial --event over the default: given fields win, the rest stays', () => {
    const exit = tessera(['actions', 'run', 'echo.js', '--event', 'partial.json', '--json'], { cwd: dir });
    assert.equal(exit.status, 0, exit.stderr);
    const set = claims(exit.stdout);
    assert.equal(set['https://x/email'], 'ada@lovelace.dev');
    assert.equal(set['https://x/plan'], 'free');
    assert.equal(set['https://x/name'], 'Jane Doe');
    assert.equal(typeof set['https://x/ip'], 'string');
  });

  it('gives --secrets to the action as event.secrets, and redacts them from printed logs', () => {
    const exit = tessera(['actions', 'run', 'uses-secret.js', '--secrets', 'secrets.json'], { cwd: dir });
    assert.equal(exit.status, 0, exit.stderr);
    assert.match(exit.stdout, / {2}idToken\.setCustomClaim \{"key":"https:\/\/x\/key-length","value":20\}\n/);
    assert.match(exit.stdout, / log {3}calling the API with \[REDACTED\]\n/);
    assert.ok(!exit.stdout.includes(SECRET), exit.stdout);
  });

  it('with --continue runs onContinuePostLogin instead of onExecutePostLogin', () => {
    const first = report(tessera(['actions', 'run', 'continues.js', '--json'], { cwd: dir }), 'pause');
    assert.equal(first.pause?.type, 'redirect.sendUserTo');

    const exit = tessera(['actions', 'run', 'continues.js', '--continue', 'st', '--json'], { cwd: dir });
    assert.equal(exit.status, 0, exit.stderr);
    const resumed = report(exit);
    assert.deepEqual(
      resumed.commands.map(({ type, key, value }) => ({ type, key, value })),
      [{ type: 'accessToken.setCustomClaim', key: 'https://x/verified', value: true }],
    );
    assert.deepEqual(
      resumed.logs.map((entry) => entry.message),
      ['back from the check'],
    );
  });

  it('resolves relative paths against INIT_CWD when it is set (as pnpm sets it)', () => {
    const exit = tessera(['actions', 'run', 'echo.js', '--event', 'partial.json', '--json'], {
      cwd: REPO,
      env: { INIT_CWD: dir },
    });
    assert.equal(exit.status, 0, exit.stderr);
    assert.equal(claims(exit.stdout)['https://x/email'], 'ada@lovelace.dev');
  });

  it("runs through the root script: `pnpm tessera` started in the action's folder", () => {
    // echo.js exists only in `dir`: pnpm runs the script in the repository and passes `dir` as INIT_CWD.
    const { INIT_CWD: _inherited, ...env } = process.env;
    const exit = spawnSync('pnpm', ['--dir', REPO, 'tessera', 'actions', 'run', 'echo.js', '--json'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(exit.status, 0, `${exit.stderr}${exit.error ?? ''}`);
    assert.equal(claims(exit.stdout)['https://x/email'], 'jane.doe@example.com');
  });
});
