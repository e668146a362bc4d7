import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { type Certificate, freePort, localhostCertificate as sharedCertificate } from '../helpers.ts';

export type { Certificate };

import { type ManagementHarness, startManagement } from './helpers.ts';

/**
 * Auth0's own tenant-configuration tool, unmodified, as a customer's CI runs it: `a0deploy` from the
 * pinned devDependency, in a child process, speaking https to a Tessera that serves TLS with a
 * throw-away certificate the child trusts through NODE_EXTRA_CA_CERTS.
 */
const TOOL = join(
  realpathSync(join(dirname(fileURLToPath(import.meta.url)), '../../node_modules/auth0-deploy-cli')),
  'lib/index.js',
);

/** A certificate this process trusts (the in-process SDK and logins), handed to the tool's process too. */
export const localhostCertificate = () => sharedCertificate({ trust: true });

export interface DeployTarget extends ManagementHarness {
  /** `localhost:<port>`: the tenant's domain, what the tool is given as AUTH0_DOMAIN. */
  domain: string;
  /** The first-run client, the one the tool authenticates as (so the tool leaves it and its grants alone). */
  clientId: string;
  clientSecret: string;
}

/** A Tessera serving HTTPS whose tenant domain is its real address, as the tool needs. */
export async function startDeployTarget(cert: Certificate): Promise<DeployTarget> {
  const port = await freePort();
  const domain = `localhost:${port}`;
  const h = await startManagement({
    PORT: String(port),
    TESSERA_DOMAIN: domain,
    TESSERA_TLS_CERT_FILE: cert.certFile,
    TESSERA_TLS_KEY_FILE: cert.keyFile,
  });
  const created = h.server.firstRun.created!;
  assert.equal(h.issuer, `https://${domain}/`);
  return { ...h, domain, clientId: created.clientId, clientSecret: created.clientSecret };
}

export interface ToolRun {
  code: number | null;
  /** stdout and stderr interleaved as the tool wrote them: its log names each failing call. */
  output: string;
}

export interface ToolOptions {
  /** Settings added to the tool's config.json (AUTH0_ALLOW_DELETE, AUTH0_KEYWORD_REPLACE_MAPPINGS, …). */
  config?: Record<string, unknown>;
  timeoutMs?: number;
}

/** Runs `a0deploy <args>` against `target` with a config.json holding its domain and credentials. */
export async function deployCli(
  target: DeployTarget,
  cert: Certificate,
  args: string[],
  options: ToolOptions = {},
): Promise<ToolRun> {
  const configFile = join(cert.dir, `config-${process.hrtime.bigint()}.json`);
  await writeFile(
    configFile,
    JSON.stringify({
      AUTH0_DOMAIN: target.domain,
      AUTH0_CLIENT_ID: target.clientId,
      AUTH0_CLIENT_SECRET: target.clientSecret,
      ...options.config,
    }),
  );
  const child = spawn(process.execPath, [TOOL, ...args, '--config_file', configFile], {
    cwd: cert.dir,
    // Only what a CI job would set: no AUTH0_* leaking in from the developer's shell.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cert.dir,
      NODE_EXTRA_CA_CERTS: cert.certFile,
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
  const [code] = await once(child, 'exit');
  clearTimeout(killer);
  // The tool's logger colours its levels whatever the terminal: plain text reads better in a failure.
  return { code, output: stripVTControlCharacters(output) };
}

/** Like deployCli, failing with the tool's whole output (the call that failed and its answer) unless it succeeds. */
export async function deployCliOk(
  target: DeployTarget,
  cert: Certificate,
  args: string[],
  options: ToolOptions = {},
): Promise<string> {
  const run = await deployCli(target, cert, args, options);
  assert.equal(run.code, 0, `a0deploy ${args.join(' ')} failed:\n${run.output}`);
  return run.output;
}
