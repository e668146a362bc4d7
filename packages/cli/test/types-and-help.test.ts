import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { action, folder, REPO, tessera } from './helpers.ts';

const PUBLISHED = readFileSync(join(REPO, 'packages/actions/types/post-login.d.ts'), 'utf8');
const BIN = fileURLToPath(new URL('../bin/tessera.mjs', import.meta.url));

describe('tessera actions types', () => {
  it('writes the published post-login.d.ts, byte for byte, to --out', () => {
    const dir = folder({});
    const target = join(dir, 'x.d.ts');
    const exit = tessera(['actions', 'types', '--out', target]);
    assert.equal(exit.status, 0, exit.stderr);
    assert.equal(exit.stdout, `wrote ${target}\n`);
    assert.equal(readFileSync(target, 'utf8'), PUBLISHED);
  });

  it('writes ./post-login.d.ts by default, relative to the folder it was started in', () => {
    const dir = folder({});
    const exit = tessera(['actions', 'types'], { env: { INIT_CWD: dir } });
    assert.equal(exit.status, 0, exit.stderr);
    assert.equal(readFileSync(join(dir, 'post-login.d.ts'), 'utf8'), PUBLISHED);
  });

  it('exits 2 with one line when the target cannot be written', () => {
    const exit = tessera(['actions', 'types', '--out', join(folder({}), 'no/such/dir/x.d.ts')]);
    assert.equal(exit.status, 2);
    assert.match(exit.stderr, /^tessera: cannot write \S+x\.d\.ts: ENOENT\n$/);
  });
});

describe('tessera --help', () => {
  it('prints the usage and exits 0, alone or after a command', () => {
    for (const args of [['--help'], [], ['actions', 'run', '--help'], ['try', '--help'], ['help']]) {
      const exit = tessera(args);
      assert.equal(exit.status, 0, `${args.join(' ')}: ${exit.stderr}`);
      assert.match(exit.stdout, /^Usage:\n {2}tessera try \[--user <email> \[--password <password>\]\]/);
      assert.match(exit.stdout, /\n {2}tessera actions run <file\.js> \[--event <event\.json>\]/);
      assert.match(exit.stdout, /\n {2}tessera actions types \[--out <file>\]\n/);
      assert.equal(exit.stderr, '');
    }
  });
});

describe('the installed `tessera` bin', () => {
  it('reads relative paths from its working directory, even inside another package script', () => {
    // A tenant's `"check": "tessera actions run action.js"` runs in its package folder while INIT_CWD
    // is wherever `npm run check` was typed: the path in the script is relative to the package.
    const dir = folder({ 'action.js': action("  api.idToken.setCustomClaim('https://x/y', 1);") });
    const exit = spawnSync(process.execPath, [BIN, 'actions', 'run', 'action.js'], {
      cwd: dir,
      env: { ...process.env, INIT_CWD: join(dir, 'src') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(exit.status, 0, exit.stderr);
    assert.match(exit.stdout, /^outcome: completed/);
  });
});
