import { InvalidRequestError } from '@tessera/core';
import { emailSkeleton, SKELETON_VERSION, skeleton } from '../skeleton.ts';
import { checkMetadata, type MetadataField } from './user-metadata.ts';
import type { CreateUserInput, UserChanges } from './user-model.ts';

// Validation of a new user's profile, with Auth0's defaults and limits. Kept apart from users.ts so
// the repository reads as storage and this file as the rules.

// RFC 5321/5322-ish: a local part of atext and dots, a domain of at least two labels (letters of any
// script allowed, for internationalised domains), 254 characters at most (RFC 5321 §4.5.3.1).
const EMAIL =
  /^[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}-]{2,63}$/u;
// Auth0's username alphabet: letters, digits and _+-.!#$'^`~@.
const USERNAME = /^[\p{L}\p{N}_+\-.!#$'^`~@]{1,128}$/u;
// Auth0 requires E.164 phone numbers.
const PHONE = /^\+[1-9]\d{1,14}$/;
/** Auth0's limits on profile strings. */
const MAX = { name: 300, nickname: 300, givenName: 150, familyName: 150, picture: 2048 } as const;

const PROFILE_FIELDS = [
  ['name', 'name'],
  ['nickname', 'nickname'],
  ['givenName', 'given_name'],
  ['familyName', 'family_name'],
  ['picture', 'picture'],
] as const;

/**
 * Identifiers are kept, compared and looked up in one form: NFKC, trimmed, lower-cased (Auth0 stores
 * emails lower-cased), so `ｊｅｆｆ@…` (fullwidth) and `jeﬀ@…` (ligature) are `jeff@…` everywhere, a
 * login included (docs/security.md#49). NFKC once more after lower-casing: `H̱` lower-cases to a pair
 * that composes to `ẖ`, and a normalized identifier must normalize to itself.
 */
export function normalizeIdentifier(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/** The stored form of an email: what sign-up, the Management API and a login lookup all use. */
export function normalizeEmail(email: string): string {
  return normalizeIdentifier(email);
}

/** Normalized like emails, so `Alice` and `ａｌｉｃｅ` cannot be two accounts of one connection. */
export function normalizeUsername(username: string): string {
  return normalizeIdentifier(username);
}

/** The columns of a new user, validated (InvalidRequestError naming the field), with Auth0's defaults. */
export function checkUserInput(input: CreateUserInput) {
  const email = checkEmail(input.email);
  const username = input.username === undefined ? null : checkUsername(input.username);
  if (input.phoneNumber !== undefined && !PHONE.test(input.phoneNumber)) {
    throw new InvalidRequestError('phone_number: must be in E.164 format (+14155550100)');
  }
  return {
    email,
    emailNormalized: email,
    emailSkeleton: emailSkeleton(email),
    emailVerified: optionalBoolean(input.emailVerified, 'email_verified'),
    username,
    usernameSkeleton: username === null ? null : skeleton(username),
    skeletonVersion: SKELETON_VERSION,
    phoneNumber: input.phoneNumber ?? null,
    // Auth0's defaults for a database user: the email as name, its local part as nickname.
    name: limited(input.name, 'name', MAX.name) ?? email,
    nickname: limited(input.nickname, 'nickname', MAX.nickname) ?? email.slice(0, email.indexOf('@')),
    givenName: limited(input.givenName, 'given_name', MAX.givenName),
    familyName: limited(input.familyName, 'family_name', MAX.familyName),
    picture: limited(input.picture, 'picture', MAX.picture),
    userMetadata: metadata(input.userMetadata, 'user_metadata'),
    appMetadata: metadata(input.appMetadata, 'app_metadata'),
  };
}

/**
 * An update's columns, validated as a new user's are (null unsets an optional field). A new email
 * is unverified unless the update says otherwise, as in Auth0.
 */
export function checkUserChanges(changes: UserChanges): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (changes.email !== undefined) {
    const email = checkEmail(changes.email);
    Object.assign(data, {
      email,
      emailNormalized: email,
      emailSkeleton: emailSkeleton(email),
      emailVerified: changes.emailVerified ?? false,
    });
  } else if (changes.emailVerified !== undefined) data.emailVerified = changes.emailVerified;
  if (changes.username !== undefined) {
    const username = changes.username === null ? null : checkUsername(changes.username);
    data.username = username;
    data.usernameSkeleton = username === null ? null : skeleton(username);
  }
  if (changes.phoneNumber !== undefined) {
    if (changes.phoneNumber !== null && !PHONE.test(changes.phoneNumber)) {
      throw new InvalidRequestError('phone_number: must be in E.164 format (+14155550100)');
    }
    data.phoneNumber = changes.phoneNumber;
    if (changes.phoneNumber === null) data.phoneVerified = false;
  }
  if (changes.phoneVerified !== undefined) data.phoneVerified = changes.phoneVerified;
  for (const [field, wire] of PROFILE_FIELDS) {
    if (changes[field] !== undefined) data[field] = limited(changes[field], wire, MAX[field]);
  }
  if (changes.blocked !== undefined) data.blocked = changes.blocked;
  return data;
}

/**
 * Checked after normalizing, never before: NFKC can lengthen a string (`ﬄ` is three letters) and
 * produce characters outside the alphabet (`½` becomes `1⁄2`, with a fraction slash).
 */
function checkEmail(value: unknown): string {
  const email = normalizeEmail(requireString(value, 'email'));
  if (!EMAIL.test(email) || email.length > 254)
    throw new InvalidRequestError('email: not a valid email address');
  return email;
}

function checkUsername(value: unknown): string {
  const username = normalizeUsername(requireString(value, 'username'));
  if (!USERNAME.test(username))
    throw new InvalidRequestError("username: 1 to 128 letters, digits or _+-.!#$'^`~@");
  return username;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidRequestError(`${field}: required`);
  return value;
}

function limited(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) {
    throw new InvalidRequestError(`${field}: a string of at most ${max} characters`);
  }
  return value;
}

function optionalBoolean(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidRequestError(`${field}: must be a boolean`);
  return value;
}

/** Auth0's metadata rules and Tessera's size bound (docs/security.md#50), in user-metadata.ts. */
function metadata(value: unknown, field: MetadataField): object {
  return checkMetadata(value, field);
}
