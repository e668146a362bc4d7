/**
 * The issuer of a tenant: `https://<domain>/` as Auth0 (trailing slash included), `http://` only for a
 * localhost domain served without TLS (a laptop) — a public domain is assumed to sit behind TLS.
 */
export function issuerFor(domain: string, scheme: 'http' | 'https'): string {
  return `${scheme}://${domain}/`;
}

export function isLocalDomain(domain: string): boolean {
  const host = domain.replace(/:\d+$/, '');
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}
