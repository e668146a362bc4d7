import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../src/cli.ts';
import { tessera } from './helpers.ts';

// What `tessera try` refuses before any login: bad flags (exit 2, with the usage), and an
// installation it cannot reach (exit 1, one line). The logins themselves are proven against a
// running server in apps/server/test/management/try-cli.test.ts.

/** A data dir holding `firstRun` as first-run.json (none when undefined), removed after the file. */
function dataDir(firstRun?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-try-'));
  if (firstRun !== undefined) writeFileSync(join(dir, 'first-run.json'), firstRun);
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port nothing listens on: taken from the system, then released. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const firstRun = (issuer: string) =>
  JSON.stringify({
    issuer,
    domain: new URL(issuer).host,
    management: { client_id: 'id', client_secret: 'secret', audience: `${issuer}api/v2/` },
  });

describe('tessera try: inputs', () => {
  it('refuses bad flags with the usage and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--port', 'abc'], /--port must be a port number \(1-65535\)/],
      [['--port', '70000'], /--port must be a port number \(1-65535\)/],
      [['--port', '0'], /--port must be a port number \(1-65535\)/],
      [['--issuer', 'ftp://example.com'], /--issuer must be an http\(s\) URL/],
      [['--issuer', 'not a url'], /--issuer must be an http\(s\) URL/],
      [
        ['--issuer', 'http://id.example.com'],
        /--issuer must use https unless it is localhost or a loopback address/,
      ],
      [['--user', 'not-an-email'], /--user must be an email address/],
      [['--password', 'secret long enough'], /--password needs --user <email>/],
      [['--user', 'a@example.com', '--password', ''], /--password must not be empty/],
      [['--audience', ''], /--audience must not be empty/],
      [['extra'], /try takes no arguments, got extra/],
      [['--colour'], /Unknown option '--colour'/],
      [['--port'], /argument missing/],
    ];
    for (const [args, problem] of cases) {
      // In process: a usage error is decided before anything is read or reached.
      let stdout = '';
      let stderr = '';
      const io = {
        cwd: process.cwd(),
        stdout: (t: string) => (stdout += t),
        stderr: (t: string) => (stderr += t),
      };
      const status = await runCli(['try', ...args], io);
      assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, problem, args.join(' '));
      assert.match(stderr, /\n\nUsage:\n {2}tessera try /, 'followed by the usage');
      assert.equal(stdout, '');
    }
  });

  it('without first-run.json, says where it looked and how to get one (exit 1)', () => {
    const dir = dataDir();
    const exit = tessera(['try'], { env: { TESSERA_DATA_DIR: dir } });
    assert.equal(exit.status, 1);
    assert.equal(
      exit.stderr,
      `tessera: cannot read ${join(dir, 'first-run.json')} (ENOENT): the server writes it at its first run; ` +
        'start the server once, or run this command with the TESSERA_DATA_DIR the server uses\n',
    );
  });

  it('a relative TESSERA_DATA_DIR is the server’s, read from the working directory', () => {
    const dir = dataDir();
    const exit = tessera(['try'], { cwd: dir, env: { TESSERA_DATA_DIR: './data' } });
    assert.equal(exit.status, 1);
    assert.match(exit.stderr, new RegExp(`cannot read ${join(dir, 'data', 'first-run.json')} `));
  });

  it('refuses a first-run.json that is not the server’s (exit 1)', () => {
    for (const content of ['{"issuer": ', '{}', JSON.stringify({ issuer: 'x', management: {} })]) {
      const dir = dataDir(content);
      const exit = tessera(['try'], { env: { TESSERA_DATA_DIR: dir } });
      assert.equal(exit.status, 1, content);
      assert.equal(
        exit.stderr,
        `tessera: ${join(dir, 'first-run.json')} is not the file the server's first run writes\n`,
      );
    }
  });

  it('with no server running, names the address it tried (exit 1)', async () => {
    const issuer = `http://127.0.0.1:${await closedPort()}/`;
    const exit = tessera(['try'], { env: { TESSERA_DATA_DIR: dataDir(firstRun(issuer)) } });
    assert.equal(exit.status, 1);
    assert.equal(
      exit.stderr,
      `tessera: no Tessera server answers at ${issuer} (ECONNREFUSED): start it with \`pnpm start\`, or pass --issuer <url>\n`,
    );
    const elsewhere = `http://127.0.0.1:${await closedPort()}`;
    const flagged = tessera(['try', '--issuer', elsewhere], {
      env: { TESSERA_DATA_DIR: dataDir(firstRun(issuer)) },
    });
    assert.equal(flagged.status, 1);
    assert.match(flagged.stderr, new RegExp(`no Tessera server answers at ${elsewhere}/ \\(ECONNREFUSED\\)`));
  });
});
