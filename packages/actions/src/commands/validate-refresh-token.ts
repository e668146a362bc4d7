import { epochMsProblem } from './epoch-ms.ts';
import { checkReason } from './reason.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

/**
 * Auth0: "This method can be used only during Refresh Token Exchange flow, when
 * event.transaction.protocol === "oauth2-refresh-token"". Elsewhere there is no refresh token in use
 * to revoke, so the call is an error rather than a silent no-op.
 */
const revoke: Validator = ([reason], state) => {
  const { protocol } = state.context;
  if (protocol !== 'oauth2-refresh-token') {
    return refuse(
      `api.refreshToken.revoke can only be used when event.transaction.protocol is "oauth2-refresh-token" (it is ${JSON.stringify(protocol)})`,
    );
  }
  const problem = checkReason(reason, 'api.refreshToken.revoke: reason', state);
  if (problem !== undefined) return problem;
  return accept({ type: 'refreshToken.revoke', reason: reason as string });
};

/** Auth0: "When called multiple times, the earliest expiration time will be used" (the login layer's job). */
function expiry(
  type: 'refreshToken.setExpiresAt' | 'refreshToken.setIdleExpiresAt',
  param: string,
): Validator {
  return ([at]) => {
    const problem = epochMsProblem(at, `api.${type}: ${param}`);
    if (problem !== undefined) return refuse(problem);
    return accept({ type, at: at as number });
  };
}

export const refreshTokenValidators: Record<string, Validator> = {
  'refreshToken.revoke': revoke,
  'refreshToken.setExpiresAt': expiry('refreshToken.setExpiresAt', 'absolute'),
  'refreshToken.setIdleExpiresAt': expiry('refreshToken.setIdleExpiresAt', 'inactivity'),
};
