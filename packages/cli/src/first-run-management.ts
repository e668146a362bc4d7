import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '@tessera/config';
import { FIRST_RUN_FILE, type FirstRunFile } from '@tessera/core';
import { DeployError } from './deploy/deploy-error.ts';

/** What the command needs of first-run.json (an older server's file has no `domain`). */
type Credentials = Pick<FirstRunFile, 'issuer' | 'management'>;

/** The running server's Management API (`/api/v2`), as the first-run client of its default tenant. */
export interface ManagementApi {
  /** The server's issuer, ending in `/`. */
  issuer: string;
  /** The answer's JSON body; a refusal is an ApiRefusal carrying Auth0's error body. */
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** A Management API refusal: Auth0's `{ statusCode, errorCode, message }`. */
export class ApiRefusal extends DeployError {
  readonly status: number;
  constructor(status: number, errorCode: string, message: string, path: string) {
    super(`the Management API refused ${path}: ${status} ${errorCode}: ${message}`);
    this.status = status;
  }
}

/**
 * Reads the credentials the server's first run wrote and takes a token with them (client credentials
 * at `/oauth/token`). The data dir is the server's own, resolved as the server and `actions deploy`
 * resolve it (a relative TESSERA_DATA_DIR from the working directory, the repository under pnpm).
 * `issuer` replaces the file's, for a server reached at another address than the one it announces.
 */
export async function connectManagement(options: {
  env: Readonly<Record<string, string | undefined>>;
  issuer?: string;
}): Promise<ManagementApi> {
  const file = await readFirstRun(resolve(loadConfig({ env: options.env }).db.dataDir));
  const issuer = withSlash(options.issuer ?? file.issuer);
  const request = async (url: string, init: RequestInit) => {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new DeployError(
        `no Tessera server answers at ${issuer} (${cause}): start it with \`pnpm start\`, or pass --issuer <url>`,
      );
    }
  };
  const { client_id, client_secret, audience } = file.management;
  const tokenResponse = await request(`${issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id, client_secret, audience }),
  });
  const token = (await tokenResponse.json().catch(() => ({}))) as Record<string, string>;
  if (!tokenResponse.ok || typeof token.access_token !== 'string') {
    throw new DeployError(
      `${issuer} refused the first-run management client (${tokenResponse.status} ${token.error ?? ''}: ` +
        `${token.error_description ?? ''}): is first-run.json from this server's data dir?`,
    );
  }
  return {
    issuer,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await request(`${issuer}api/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token.access_token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const json = parseJson(text);
      if (!response.ok) {
        const refusal = (json ?? {}) as { errorCode?: string; error?: string; message?: string };
        throw new ApiRefusal(
          response.status,
          refusal.errorCode ?? refusal.error ?? 'error',
          refusal.message ?? text,
          `${method} ${path}`,
        );
      }
      if (json === undefined && text !== '')
        throw new DeployError(`${issuer}api/v2${path} did not answer JSON: is ${issuer} a Tessera server?`);
      return json as T;
    },
  };
}

async function readFirstRun(dataDir: string): Promise<Credentials> {
  const path = join(dataDir, FIRST_RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DeployError(
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code}): the server writes it at its first ` +
        'run; start the server once, or run this command with the TESSERA_DATA_DIR the server uses',
    );
  }
  const file = parse(text);
  if (file === undefined) throw new DeployError(`${path} is not the file the server's first run writes`);
  return file;
}

function parse(text: string): Credentials | undefined {
  const value = parseJson(text) as Partial<Credentials> | undefined;
  const m = value?.management;
  const strings = [value?.issuer, m?.client_id, m?.client_secret, m?.audience];
  return strings.every((s) => typeof s === 'string' && s !== '') && URL.canParse(value!.issuer!)
    ? (value as Credentials)
    : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
