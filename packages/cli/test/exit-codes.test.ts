import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { action, folder, report, tessera } from './helpers.ts';

const dir = folder({
  'throws.js': action('  const profile = null;\n  return profile.email;'),
  'broken.js': action('  const claim = ;'),
  'top-level.js': `throw new Error('CONFIG is missing');\n${action('')}`,
  'loops.js': action('  while (true) {}'),
  'axios.js': `const axios = require('axios');\n${action('  await axios.get("https://example.com");')}`,
  'ok.js': action("  api.idToken.setCustomClaim('https://x/y', 1);"),
  'truncated.json': '{"user": {"email": ',
  'bad-shape.json': '{"user":{"app_metadata":"x"}}',
});

const run = (...args: string[]) => tessera(['actions', 'run', ...args], { cwd: dir });

describe('tessera actions run: failures exit 1', () => {
  it('a runtime error, with its message and the position in the file', () => {
    const exit = run('throws.js', '--json');
    assert.equal(exit.status, 1, exit.stderr);
    const result = report(exit, 'error');
    assert.equal(result.outcome, 'failed');
    assert.deepEqual(result.error, {
      kind: 'runtime',
      message: "TypeError: Cannot read properties of null (reading 'email') (throws.js:3:18)",
      action: 'throws.js',
    });
  });

  it('a syntax error, naming file:line:column', () => {
    const exit = run('broken.js');
    assert.equal(exit.status, 1, exit.stderr);
    assert.match(
      exit.stdout,
      /^outcome: failed \(\d+ ms\)\nerror: syntax: SyntaxError: .*\(broken\.js:2:17\)\n/,
    );
  });

  it('a module whose top level throws, as a runtime error rather than a syntax error', () => {
    const result = report(run('top-level.js', '--json'), 'error');
    assert.deepEqual(result.error, {
      kind: 'runtime',
      message: 'the module threw while loading: Error: CONFIG is missing (top-level.js:1:7)',
      action: 'top-level.js',
    });
  });

  it('an action that never returns, stopped by --timeout', () => {
    const exit = run('loops.js', '--timeout', '200', '--json');
    assert.equal(exit.status, 1, exit.stderr);
    const result = report(exit, 'error');
    assert.equal(result.error?.kind, 'timeout');
    assert.match(result.error?.message ?? '', /time budget/);
  });

  it('a require of a module outside the allowlist, naming the module', () => {
    const exit = run('axios.js', '--json');
    assert.equal(exit.status, 1, exit.stderr);
    const result = report(exit, 'error');
    assert.equal(result.error?.kind, 'syntax');
    assert.match(
      result.error?.message ?? '',
      /module "axios" is not available in Tessera actions .*\(axios\.js:1:23\)/,
    );
    assert.deepEqual(result.commands, []);
  });
});

describe('tessera actions run: usage errors exit 2, on stderr, with nothing on stdout', () => {
  const usage = (exit: ReturnType<typeof run>, message: RegExp) => {
    assert.equal(exit.status, 2, exit.stdout);
    assert.equal(exit.stdout, '');
    assert.match(exit.stderr, message);
  };

  it('a missing action file', () => {
    usage(run('missing.js', '--json'), /^tessera: cannot read action missing\.js: ENOENT\n/);
  });

  it('an event file that is not JSON, with the parser message', () => {
    usage(
      run('ok.js', '--event', 'truncated.json'),
      /^tessera: event \S*truncated\.json is not valid JSON: Unexpected end of JSON input\n/,
    );
  });

  it('an event of the wrong shape, naming the path', () => {
    usage(
      run('ok.js', '--event', 'bad-shape.json'),
      /^tessera: --event: event\.user\.app_metadata must be an object\n/,
    );
  });

  it('no action file, an unknown command, a bad --timeout', () => {
    usage(run(), /^tessera: actions run needs exactly one action file\n\nUsage:/);
    usage(
      tessera(['actions', 'publish', 'ok.js'], { cwd: dir }),
      /^tessera: unknown command: actions publish ok\.js\n/,
    );
    usage(run('ok.js', '--timeout', 'soon'), /^tessera: --timeout must be an integer between 100 and 120000/);
    usage(run('ok.js', '--verbose'), /^tessera: Unknown option '--verbose'/);
  });
});
