import { isPlainObject, oneOf, optionalBoolean, optionalObject, typeName } from './checks.ts';
import type { Factor, FactorType } from './types.ts';

export const FACTOR_TYPES: readonly FactorType[] = [
  'otp',
  'recovery-code',
  'email',
  'phone',
  'webauthn-roaming',
  'webauthn-platform',
  'push-notification',
];

/** Auth0's phone factor option: deliver the code by SMS, voice call, or let the user pick. */
const PHONE_METHODS = ['sms', 'voice', 'both'] as const;

export type FactorResult = { ok: true; factor: Factor } | { ok: false; message: string };

/**
 * Reads one `{ type, options? }` factor. Keys other than these two are not recorded (Auth0's factor
 * object has no others); options Tessera knows are type-checked, others are kept for the MFA layer.
 */
export function readFactor(value: unknown, where: string): FactorResult {
  if (!isPlainObject(value)) {
    return { ok: false, message: `${where} must be an object like { type: "otp" } (got ${typeName(value)})` };
  }
  const typeProblem = oneOf(value.type, FACTOR_TYPES, `${where}.type`);
  if (typeProblem !== undefined) return { ok: false, message: typeProblem };
  const type = value.type as FactorType;
  const options = value.options;
  const optionsProblem = optionalObject(options, `${where}.options`) ?? factorOptions(type, options, where);
  if (optionsProblem !== undefined) return { ok: false, message: optionsProblem };
  const factor: Factor =
    options === undefined ? { type } : { type, options: options as Record<string, unknown> };
  return { ok: true, factor };
}

function factorOptions(type: FactorType, options: unknown, where: string): string | undefined {
  if (!isPlainObject(options)) return undefined;
  if (type === 'push-notification')
    return optionalBoolean(options.otpFallback, `${where}.options.otpFallback`);
  if (type === 'phone' && options.preferredMethod !== undefined) {
    return oneOf(options.preferredMethod, PHONE_METHODS, `${where}.options.preferredMethod`);
  }
  return undefined;
}

/** Reads an array of factors; `nonEmpty` for the `…Any(factors)` methods, which need a choice. */
export function readFactors(
  value: unknown,
  where: string,
  nonEmpty: boolean,
): { ok: true; factors: Factor[] } | { ok: false; message: string } {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
    const got = Array.isArray(value) ? 'an empty array' : typeName(value);
    const what = nonEmpty ? 'a non-empty array of factors' : 'an array of factors';
    return { ok: false, message: `${where} must be ${what} (got ${got})` };
  }
  const factors: Factor[] = [];
  for (let i = 0; i < value.length; i++) {
    const read = readFactor(value[i], `${where}[${i}]`);
    if (!read.ok) return read;
    factors.push(read.factor);
  }
  return { ok: true, factors };
}
