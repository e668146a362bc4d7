import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

/** Passes the database connections' password policy (8 characters at least). */
export const PASSWORD = 'Correct-Horse-42';

/** A fresh address per call, so tests sharing one server never collide by accident. */
export function newEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

/** The SDK's error (a `ManagementError`: `statusCode` and the parsed Auth0 `body`) of a call that must fail. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const { statusCode, body } = error as { statusCode?: number; body?: Record<string, unknown> };
    assert.equal(typeof statusCode, 'number', String(error));
    return { statusCode: statusCode!, body: body ?? {} };
  }
  assert.fail('the SDK call succeeded; it should have failed');
}
