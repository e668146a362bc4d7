import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { escapeHtml } from '@tessera/core';

/** The browser's return: the callback's full URL, and how to answer it (resolved once sent). */
export interface Callback {
  url: URL;
  answer(page: Page): Promise<void>;
}

export interface CallbackServer {
  /** http://127.0.0.1:<port>/callback */
  url: string;
  /** The first request to /callback carrying this login's `state`. */
  next(): Promise<Callback>;
  close(): Promise<void>;
}

export interface Page {
  title: string;
  lines: string[];
}

/**
 * The app's side of the login, on the loopback interface only. A callback without this login's
 * `state` (another tab, another local program) is turned away and the wait goes on: only the browser
 * sent to the printed URL can end the command.
 */
export async function listenForCallback(port: number, state: string): Promise<CallbackServer> {
  let deliver: ((callback: Callback) => void) | undefined;
  const arrived = new Promise<Callback>((resolve) => {
    deliver = resolve;
  });
  const server = createServer((request, response) => {
    const url = URL.parse(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url?.pathname !== '/callback') {
      return send(response, 404, { title: 'Not found', lines: ['This is the callback of `tessera try`.'] });
    }
    if (url.searchParams.get('state') !== state || deliver === undefined) {
      return send(response, 400, {
        title: 'Not this login',
        lines: ['This callback is not the login `tessera try` is waiting for.'],
      });
    }
    const resolve = deliver;
    deliver = undefined;
    resolve({
      url: new URL(`${callbackUrl()}${url.search}`),
      answer: (page) => {
        send(response, 200, page);
        return once(response, 'finish').then(() => undefined);
      },
    });
  });
  server.listen(port, '127.0.0.1');
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error)),
  ]);
  const callbackUrl = () => `http://127.0.0.1:${(server.address() as { port: number }).port}/callback`;
  return {
    url: callbackUrl(),
    next: () => arrived,
    // Every answer says `connection: close`; idle keep-alive sockets (a favicon request) are closed.
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await closed;
    },
  };
}

function send(response: ServerResponse, status: number, page: Page): void {
  const body = `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<body style="font-family: system-ui, sans-serif; margin: 3rem"><h1>${escapeHtml(page.title)}</h1>
${page.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
</body></html>\n`;
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'cache-control': 'no-store',
    connection: 'close',
    'referrer-policy': 'no-referrer',
  });
  response.end(body);
}
