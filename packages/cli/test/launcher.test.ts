import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './helpers.ts';

// `pnpm start` and `pnpm tessera` run through packages/cli/bin/launch.mjs, which stops an older Node
// with one line naming the version to install instead of ERR_UNKNOWN_FILE_EXTENSION ".ts". The
// scripts are read from the root package.json and run as pnpm runs them, with the Node given.

const scripts = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;

/** `pnpm <script> <args>` as pnpm runs it (`node …` from the repository), with `node` being `nodePath`. */
function runScript(script: string, nodePath: string, args: string[], env: Record<string, string> = {}) {
  const [command, ...rest] = scripts[script]!.split(' ');
  assert.equal(command, 'node', `the ${script} script starts node`);
  const { INIT_CWD: _inherited, ...inherited } = process.env;
  return spawnSync(nodePath, [...rest, ...args], {
    cwd: REPO,
    env: { ...inherited, NODE_NO_WARNINGS: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** A Node older than 24 on this machine (Node 20 is preinstalled as /usr/bin/node), if any. */
function olderNode(): { path: string; version: string } | undefined {
  let candidates = ['/usr/bin/node', '/usr/local/bin/node'];
  try {
    candidates = [...execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n'), ...candidates];
  } catch {
    // `which` missing or no node in PATH: the usual places are still tried.
  }
  for (const path of candidates.filter(Boolean)) {
    const probe = spawnSync(path, ['--version'], { encoding: 'utf8' });
    const version = probe.stdout?.trim();
    if (probe.status === 0 && /^v\d+\./.test(version) && Number(version.slice(1).split('.')[0]) < 24)
      return { path, version };
  }
  return undefined;
}

describe('the launcher of pnpm start and pnpm tessera', () => {
  const old = olderNode();

  for (const script of ['start', 'tessera']) {
    it(`pnpm ${script} on an older Node stops with one line naming the Node to install`, (t) => {
      if (old === undefined)
        return t.skip('no Node older than 24 on this machine (tried which -a node, /usr/bin/node)');
      assert.match(scripts[script]!, /^node --no-node-snapshot packages\/cli\/bin\/launch\.mjs /);
      const exit = runScript(script, old.path, script === 'tessera' ? ['--help'] : []);
      assert.equal(exit.status, 1);
      assert.equal(exit.stdout, '');
      const version = old.version.replace(/\./g, '\\.');
      assert.match(
        exit.stderr,
        new RegExp(
          `^Tessera needs Node\\.js 24 or newer \\(this is ${version}\\): install it from https://nodejs\\.org, ` +
            'or run `npm install --prefix ~/\\.cache/node24 node-\\w+-\\w+@24` and put ~/\\.cache/node24/node_modules/' +
            'node-\\w+-\\w+/bin first in your PATH\\n$',
        ),
      );
    });
  }

  it('on Node 24 runs the command: pnpm tessera --help prints the usage', () => {
    const exit = runScript('tessera', process.execPath, ['--help']);
    assert.equal(exit.status, 0, exit.stderr);
    assert.match(exit.stdout, /^Usage:\n {2}tessera try /);
  });

  it('on Node 24 starts the server: pnpm start reaches its configuration check', () => {
    // A bad PORT ends the server at its first step, proving main.ts ran behind the launcher.
    const exit = runScript('start', process.execPath, [], { PORT: 'not-a-port' });
    assert.equal(exit.status, 1);
    assert.match(exit.stderr, /^invalid configuration: PORT/);
  });
});
