import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniformly random alphanumerics (randomInt rejects modulo bias): the shape of Auth0's client ids. */
export function alphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** Auth0 client_id: 32 alphanumerics (~190 bits). */
export const newClientId = () => alphanumeric(32);

/** 48 random bytes as 64 base64url characters: 384 bits, so a fast HMAC is a safe way to store it. */
export const newClientSecret = () => randomBytes(48).toString('base64url');

/** Auth0 resource server ids: 24 hex characters. */
export const newResourceServerId = () => randomBytes(12).toString('hex');

/** Auth0 client grant ids: `cgr_` + 16 alphanumerics. */
export const newClientGrantId = () => `cgr_${alphanumeric(16)}`;

/** Auth0 role ids: `rol_` + 16 alphanumerics. */
export const newRoleId = () => `rol_${alphanumeric(16)}`;
