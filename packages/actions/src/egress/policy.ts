/**
 * What a tenant's `fetch` may do. Every hop of a request (redirects included) is checked against the
 * same policy, so a public URL cannot redirect the sandbox into the deployment's own network.
 */
export interface EgressPolicy {
  /**
   * Hosts (hostname or IP literal, optionally `host:port`, case-insensitive; IPv6 in brackets) that may be
   * reached even when they resolve to loopback/private/link-local addresses. Without a port, any port.
   */
  allowHosts: readonly string[];
  /** The whole request, redirects and body included: a slow server cannot hold a login open. */
  timeoutMs: number;
  /** Response body bytes after decompression, so a small gzip bomb cannot exhaust the worker's memory. */
  maxResponseBytes: number;
  maxRequestBytes: number;
  maxRedirects: number;
}

export const EGRESS_DEFAULTS: Omit<EgressPolicy, 'allowHosts'> = {
  timeoutMs: 10_000,
  maxResponseBytes: 5 * 1024 * 1024,
  maxRequestBytes: 1024 * 1024,
  maxRedirects: 5,
};

export { classifyAddress } from './classify-address.ts';
