import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GOOD_JS, GOOD_TS, WRONG_JS, WRONG_TS } from './typing-actions.ts';

// The declaration file is what tenants copy next to their action: it must compile on its own under
// --strict (lib check included), accept real Auth0 usage, and reject wrong usage at the wrong line.

const run = promisify(execFile);
const declaration = fileURLToPath(new URL('../../types/post-login.d.ts', import.meta.url));
const tsc = fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url));
const FLAGS = [
  '--noEmit',
  '--strict',
  '--allowJs',
  '--checkJs',
  '--skipLibCheck',
  'false',
  '--pretty',
  'false',
];
const MODULES = ['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];

let dir = '';

/** tsc's diagnostics for `files`, as `file:line` → messages. */
async function compile(files: string[]): Promise<{ code: number; errors: Map<string, string[]> }> {
  const result = await run(process.execPath, [tsc, ...FLAGS, ...MODULES, ...files, 'post-login.d.ts'], {
    cwd: dir,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  const errors = new Map<string, string[]>();
  for (const line of result.stdout.split('\n')) {
    const match = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
    if (!match) continue;
    const key = `${match[1]}:${match[2]}`;
    errors.set(key, [...(errors.get(key) ?? []), match[3]!]);
  }
  return { code: result.code, errors };
}

/** `file:line` of each line marked `// ✗`. */
const marked = (file: string, source: string) =>
  source.split('\n').flatMap((line, index) => (line.includes('// ✗') ? [`${file}:${index + 1}`] : []));

describe('types/post-login.d.ts in a tenant’s editor', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-post-login-types-'));
    await copyFile(declaration, join(dir, 'post-login.d.ts'));
    const sources = { 'good.ts': GOOD_TS, 'good.js': GOOD_JS, 'wrong.ts': WRONG_TS, 'wrong.js': WRONG_JS };
    await Promise.all(Object.entries(sources).map(([name, source]) => writeFile(join(dir, name), source)));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('compiles real Auth0 usage of every api method and event field, in TS and in JSDoc-checked JS', async () => {
    const { code, errors } = await compile(['good.ts', 'good.js']);
    assert.deepEqual(Object.fromEntries(errors), {});
    assert.equal(code, 0);
  });

  it('rejects each wrong usage, on its own line and nowhere else', async () => {
    const { code, errors } = await compile(['wrong.ts', 'wrong.js']);
    assert.notEqual(code, 0);
    const expected = [...marked('wrong.ts', WRONG_TS), ...marked('wrong.js', WRONG_JS)];
    assert.equal(expected.length, 19);
    assert.deepEqual([...errors.keys()].sort(), expected.sort());
    // The message names the missing field, so a tenant sees what to fix.
    assert.match(
      errors.get(expected[2]!)?.[0] ?? '',
      /TS2339: Property 'nope' does not exist on type 'EventUser'/,
    );
  });
});
