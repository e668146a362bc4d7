import { randomBytes } from 'node:crypto';
import { DATABASE_CONNECTION } from '@tessera/storage';
import type { ManagementApi } from '../first-run-management.ts';

export interface TryUser {
  email: string;
  /** Undefined for an existing user without --password: its password is whatever it was. */
  password: string | undefined;
  created: boolean;
}

interface WireUser {
  identities: Array<{ connection: string }>;
}

/**
 * `--user`: the user of the database connection with that email, created when missing (with
 * `--password`, or a generated one the command prints). An existing user's password is never changed.
 */
export async function ensureUser(api: ManagementApi, email: string, password?: string): Promise<TryUser> {
  const users = await api.call<WireUser[]>('GET', `/users-by-email?email=${encodeURIComponent(email)}`);
  if (users.some((user) => user.identities.some((id) => id.connection === DATABASE_CONNECTION))) {
    return { email, password, created: false };
  }
  const chosen = password ?? randomBytes(15).toString('base64url');
  await api.call('POST', '/users', {
    connection: DATABASE_CONNECTION,
    email,
    password: chosen,
  });
  return { email, password: chosen, created: true };
}
