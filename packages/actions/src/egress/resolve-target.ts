import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isAllowlisted } from './allowlist.ts';
import { classifyAddress } from './classify-address.ts';
import { abortable } from './deadline.ts';
import { EgressError } from './errors.ts';
import type { EgressPolicy } from './policy.ts';

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

const ALLOW_HINT = "(allow it with the tenant's egress allowlist)";

/**
 * Resolves a hop's host once and returns the addresses the connection must use. The caller connects to
 * exactly these (see send.ts), so a DNS answer that changes between this check and the connect (DNS
 * rebinding) cannot steer the request to an internal address.
 */
export async function resolveTarget(
  url: URL,
  policy: EgressPolicy,
  signal: AbortSignal,
): Promise<PinnedAddress[]> {
  const allowed = isAllowlisted(url, policy.allowHosts);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const family = isIP(host);
  if (family === 4 || family === 6) {
    const reason = classifyAddress(host);
    if (!allowed && reason !== 'public') {
      throw new EgressError('blocked', `fetch to ${url.host} refused: ${reason} address ${ALLOW_HINT}`);
    }
    return [{ address: host, family }];
  }
  const addresses = await resolve(url, host, signal);
  if (!allowed) {
    // Refuse if ANY answer is internal: the connection may pick any of them (happy eyeballs, retries).
    // The message does not say which address: internal DNS names must not map the private network for tenants.
    for (const { address } of addresses) {
      const reason = classifyAddress(address);
      if (reason !== 'public') {
        throw new EgressError(
          'blocked',
          `fetch to ${url.host} refused: it resolves to ${article(reason)} ${reason} address ${ALLOW_HINT}`,
        );
      }
    }
  }
  return addresses;
}

async function resolve(url: URL, host: string, signal: AbortSignal): Promise<PinnedAddress[]> {
  let answers: Array<{ address: string; family: number }>;
  try {
    answers = await abortable(lookup(host, { all: true, order: 'verbatim' }), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new EgressError('network', `fetch to ${url.host} failed: DNS lookup failed (${code})`, {
      cause: error,
    });
  }
  const addresses = answers.flatMap(({ address, family }) =>
    family === 4 || family === 6 ? [{ address, family: family as 4 | 6 }] : [],
  );
  if (addresses.length === 0) {
    throw new EgressError('network', `fetch to ${url.host} failed: DNS lookup returned no addresses`);
  }
  return addresses;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
