import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EgressPolicy } from '../../src/egress/policy.ts';
import { EGRESS_DEFAULTS } from '../../src/egress/policy.ts';

export interface TestServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** TCP connections accepted so far: a refused fetch must leave this at 0. */
  readonly connections: number;
  /** Every request received, in order, with its body. */
  readonly requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 with an ephemeral port; `handler` sees the request body already read. */
export async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void,
): Promise<TestServer> {
  let connections = 0;
  const requests: TestServer['requests'] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    handler(req, res, body);
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Defaults with a short timeout, so a refusal that wrongly reached the network shows up fast. */
export function policy(overrides: Partial<EgressPolicy> = {}): EgressPolicy {
  return { ...EGRESS_DEFAULTS, allowHosts: [], timeoutMs: 1000, ...overrides };
}

export function get(url: string, headers: Array<[string, string]> = []) {
  return { url, method: 'GET', headers, redirect: 'follow' as const };
}
