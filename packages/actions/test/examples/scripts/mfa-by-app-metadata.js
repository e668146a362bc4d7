/**
 * Require MFA for users flagged in app_metadata: challenge with their authenticator app when they have
 * one, otherwise let them pick any configured factor.
 */
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.use_mfa !== true) {
    return;
  }
  const hasOtp = (event.user.enrolledFactors || []).some((factor) => factor.type === 'otp');
  if (hasOtp) {
    api.authentication.challengeWith({ type: 'otp' });
  } else {
    api.multifactor.enable('any', { allowRememberBrowser: false });
  }
};
