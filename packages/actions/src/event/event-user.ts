import type { EventUser } from '../../types/post-login.d.ts';
import type { PostLoginUserInput } from './build-event-input.ts';
import { absentIfNull, iso, isoOrAbsent } from './values.ts';

/**
 * `event.user` from the stored user. Fields are picked one by one, never spread: whatever else the
 * record carries (blocked, last_ip, a credential a caller forgot to remove) stays out of tenant code.
 */
export function toEventUser(user: PostLoginUserInput): EventUser {
  const phoneNumber = absentIfNull(user.phone_number);
  return {
    user_id: user.user_id,
    username: absentIfNull(user.username),
    email: absentIfNull(user.email),
    email_verified: user.email_verified ?? false,
    phone_number: phoneNumber,
    // Auth0 reports phone verification only for users that have a phone number.
    phone_verified: phoneNumber === undefined ? undefined : (user.phone_verified ?? false),
    name: absentIfNull(user.name),
    given_name: absentIfNull(user.given_name),
    family_name: absentIfNull(user.family_name),
    nickname: absentIfNull(user.nickname),
    picture: absentIfNull(user.picture),
    user_metadata: user.user_metadata ?? {},
    app_metadata: user.app_metadata ?? {},
    created_at: iso(user.created_at, 'user.created_at'),
    updated_at: iso(user.updated_at, 'user.updated_at'),
    last_password_reset: isoOrAbsent(user.last_password_reset, 'user.last_password_reset'),
    identities: (user.identities ?? []).map((identity) => ({
      connection: identity.connection,
      provider: identity.provider,
      user_id: identity.user_id,
      isSocial: identity.isSocial,
      profileData: identity.profileData,
    })),
    multifactor: [...(user.multifactor ?? [])],
    enrolledFactors: (user.enrolledFactors ?? []).map((factor) => ({
      type: factor.type,
      options: factor.options,
    })),
  };
}
