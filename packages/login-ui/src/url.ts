/**
 * Escaping keeps a URL inside its attribute but does not make it harmless: `javascript:…` still runs
 * when clicked, and `//evil.example` leaves the site. Page URLs come from our own routes and tenant
 * settings, so a URL outside these shapes is a wiring bug: throwing turns it into a 500, never a link.
 */
export function safeUrl(url: string): string {
  // Same-origin path; `//host` and `/\host` are protocol-relative in browsers.
  if (/^\/(?![/\\])/.test(url) && !/[\s\\]/.test(url)) return url;
  if (/^https?:\/\//i.test(url)) {
    const parsed = URL.parse(url);
    if (parsed !== null && (parsed.protocol === 'https:' || parsed.protocol === 'http:')) return url;
  }
  throw new TypeError(`login-ui: refusing to render a URL that is neither a local path nor http(s)`);
}

/** `assetsPath` is a local path prefix; a trailing slash would double up in `${assetsPath}/tessera.css`. */
export function assetsBase(assetsPath: string): string {
  return safeUrl(assetsPath).replace(/\/+$/, '');
}
