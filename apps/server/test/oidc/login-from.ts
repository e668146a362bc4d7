import assert from 'node:assert/strict';
import { Browser, formOf, REDIRECT_URI } from './helpers.ts';

// Login attempts from chosen client IPs, for servers started with TESSERA_TRUST_PROXY=127.0.0.1:
// brute-force protection counts per IP (docs/security.md#41–#43).

/** A browser behind the trusted proxy: every request says it comes from `ip` (X-Forwarded-For). */
export class BrowserAt extends Browser {
  readonly ip: string;
  constructor(origin: string, ip: string) {
    super(origin);
    this.ip = ip;
  }
  override fetch(url: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', this.ip);
    return super.fetch(url, { ...init, headers });
  }
}

/** A tenant as its login pages are reached, with one of its apps. */
export interface Site {
  issuer: string;
  tenantId: string;
  clientId: string;
}

export interface LoginPage {
  browser: BrowserAt;
  state: string;
  action: string;
  csrf: string;
}

export const PASSWORD = 'the right password, long enough';
export const BLOCKED = 'This account is blocked. Contact your administrator.';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A login page of `site`'s app, opened from `ip`. */
export async function openLogin(site: Site, ip: string): Promise<LoginPage> {
  const browser = new BrowserAt(site.issuer, ip);
  const query = new URLSearchParams({
    response_type: 'code',
    scope: 'openid',
    client_id: site.clientId,
    redirect_uri: REDIRECT_URI,
    state: 's',
  });
  const start = await browser.follow(`${site.issuer}authorize?${query}`);
  assert.equal(start.response.status, 200, `the login page (${start.url})`);
  const state = new URL(start.url).searchParams.get('state')!;
  return { browser, state, ...formOf(await start.response.text()) };
}

/** One post of the login form; the page stays usable after a refusal. */
export async function attempt(page: LoginPage, username: string, password: string) {
  const response = await page.browser.fetch(page.action, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({ _csrf: page.csrf, username, password }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.text(),
  };
}

/** `count` wrong passwords in a row, each of which must reach the password check (400). */
export async function fail(page: LoginPage, username: string, count: number) {
  for (let i = 0; i < count; i++) {
    const answer = await attempt(page, username, `wrong password ${i}`);
    assert.equal(answer.status, 400, `failure ${i + 1} of ${count} for ${username}`);
  }
}

/** A whole login from `ip` with PASSWORD: true when the app got its code. */
export async function logsIn(site: Site, ip: string, username: string) {
  const page = await openLogin(site, ip);
  const done = await page.browser.follow(page.action, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({ _csrf: page.csrf, username, password: PASSWORD }),
  });
  return done.url.startsWith(`${REDIRECT_URI}?code=`);
}
