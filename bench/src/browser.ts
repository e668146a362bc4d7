import type { Dispatcher, Pool } from 'undici';
import type { Target } from './spec.ts';

export interface Answer {
  status: number;
  location?: string;
  text: string;
}

/**
 * A browser for one site over a shared keep-alive pool: a cookie jar (by name, as the test helper's
 * Browser does; the provider's cookies have distinct names) and redirects followed on the site only.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly #pool: Pool;
  readonly #target: Target;
  readonly #base: string;

  constructor(pool: Pool, target: Target) {
    this.#pool = pool;
    this.#target = target;
    this.#base = `http://${target.host}`;
  }

  async request(path: string, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { host: this.#target.host };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await this.#pool.request({ method: init.method ?? 'GET', path, headers, body });
    this.#remember(response.headers['set-cookie']);
    const text = await response.body.text();
    const location = response.headers.location;
    return {
      status: response.statusCode,
      location: typeof location === 'string' ? location : undefined,
      text,
    } satisfies Answer;
  }

  /**
   * Follows redirects on the site until one leaves it (the app's redirect_uri: its URL is returned)
   * or a page answers.
   */
  async follow(path: string, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}) {
    let answer = await this.request(path, init);
    let current = new URL(path, this.#base);
    for (let hops = 0; hops < 10 && answer.status >= 300 && answer.status < 400; hops++) {
      current = new URL(answer.location ?? '', current);
      if (current.origin !== this.#base) return { answer, url: current };
      answer = await this.request(current.pathname + current.search);
    }
    return { answer, url: current };
  }

  #remember(header: Dispatcher.ResponseData['headers'][string]) {
    if (!header) return;
    for (const line of Array.isArray(header) ? header : [header]) {
      const end = line.indexOf(';');
      const pair = end === -1 ? line : line.slice(0, end);
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** POSTs a form without cookies (token endpoint) and parses the JSON answer; throws on another status. */
export async function postForm(
  pool: Pool,
  target: Target,
  path: string,
  form: Record<string, string>,
): Promise<Record<string, unknown>> {
  const response = await pool.request({
    method: 'POST',
    path,
    headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}
