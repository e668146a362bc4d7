/**
 * On the very first login, remember where the user signed up from and start their onboarding.
 */
exports.onExecutePostLogin = async (event, api) => {
  if (event.stats.logins_count !== 1) {
    return;
  }
  api.user.setAppMetadata('signup_country', event.request.geoip.countryCode || 'unknown');
  api.user.setUserMetadata('onboarding', { step: 'welcome', completed: false });
};
