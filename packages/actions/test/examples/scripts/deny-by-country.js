/**
 * Deny logins from countries the company does not operate in.
 */
const DENIED_COUNTRIES = ['KP', 'IR', 'SY', 'CU'];

exports.onExecutePostLogin = async (event, api) => {
  const country = event.request.geoip.countryCode;
  if (country && DENIED_COUNTRIES.includes(country)) {
    api.access.deny(`Access from ${event.request.geoip.countryName} is not allowed.`);
  }
};
