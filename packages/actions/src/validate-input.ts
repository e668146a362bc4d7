import { ACTION_LIMITS } from '@tessera/core';
import { MAX_CODE_BYTES } from './code/check-code.ts';
import type { RunInput } from './result.ts';

/** Auth0's limits (core's ACTION_LIMITS) and the event size the runtime accepts. */
export const RUN_LIMITS = {
  actions: ACTION_LIMITS.bound,
  secrets: ACTION_LIMITS.secrets,
  secretName: ACTION_LIMITS.secretName,
  secretValue: ACTION_LIMITS.secretValue,
  eventBytes: 512 * 1024,
} as const;

/**
 * The run input comes from our own trigger layer, but it carries tenant data (code, secrets, event):
 * a malformed or oversized one fails as a value before any worker sees it.
 */
export function validateRunInput(input: RunInput): string | undefined {
  if (typeof input?.tenantId !== 'string' || input.tenantId === '') return 'tenantId is required';
  if (!Array.isArray(input.actions)) return 'actions must be an array';
  if (input.actions.length > RUN_LIMITS.actions)
    return `a trigger runs at most ${RUN_LIMITS.actions} actions`;
  for (const action of input.actions) {
    if (
      typeof action?.id !== 'string' ||
      typeof action.code !== 'string' ||
      typeof action.versionId !== 'string' ||
      typeof action.name !== 'string'
    ) {
      return 'every action needs id, name, versionId and code';
    }
    if (Buffer.byteLength(action.code) > MAX_CODE_BYTES)
      return `action ${action.name}: code exceeds ${MAX_CODE_BYTES} bytes`;
    const secrets = Object.entries(action.secrets ?? {});
    if (secrets.length > RUN_LIMITS.secrets)
      return `action ${action.name}: more than ${RUN_LIMITS.secrets} secrets`;
    for (const [name, value] of secrets) {
      if (
        name.length > RUN_LIMITS.secretName ||
        typeof value !== 'string' ||
        value.length > RUN_LIMITS.secretValue
      ) {
        return `action ${action.name}: secret ${name.slice(0, 32)} exceeds the limits (name ≤ ${RUN_LIMITS.secretName}, value ≤ ${RUN_LIMITS.secretValue} characters)`;
      }
    }
  }
  if (input.budgetMs !== undefined && (!Number.isFinite(input.budgetMs) || input.budgetMs <= 0)) {
    return 'budgetMs must be a positive number of milliseconds';
  }
  const hosts = input.egressAllowHosts;
  if (hosts !== undefined && (!Array.isArray(hosts) || !hosts.every((host) => typeof host === 'string'))) {
    return 'egressAllowHosts must be an array of host names';
  }
  if (input.allowHttpRedirects !== undefined && typeof input.allowHttpRedirects !== 'boolean')
    return 'allowHttpRedirects must be a boolean';
  if (input.resume !== undefined && typeof input.resume.state !== 'string')
    return 'resume.state must be a string';
  if (
    input.resume !== undefined &&
    (!Number.isInteger(input.resume.index) ||
      input.resume.index < 0 ||
      input.resume.index >= input.actions.length)
  ) {
    return 'resume.index does not name a bound action';
  }
  let size: number;
  try {
    size = JSON.stringify(input.event ?? null).length;
  } catch {
    return 'the event must be JSON';
  }
  if (input.event === null || typeof input.event !== 'object') return 'the event must be an object';
  if (size > RUN_LIMITS.eventBytes) return `the event exceeds ${RUN_LIMITS.eventBytes} bytes`;
  return undefined;
}
