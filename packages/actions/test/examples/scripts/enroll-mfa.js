/**
 * Users without a second factor enroll one now; the others are challenged with the one they have.
 */
exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.multifactor || event.user.multifactor.length === 0) {
    api.authentication.enrollWith({ type: 'otp' }, { additionalFactors: [{ type: 'webauthn-roaming' }] });
    return;
  }
  api.authentication.challengeWithAny([{ type: 'otp' }, { type: 'webauthn-roaming' }]);
};
