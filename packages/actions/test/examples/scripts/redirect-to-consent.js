/**
 * Send users who have not accepted the current terms to the consent site, then record their answer.
 * The consent site receives a signed session token and sends back its own, signed with the same secret.
 */
const TERMS_VERSION = '2025-01';

exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.terms_version === TERMS_VERSION || !api.redirect.canRedirect()) {
    return;
  }
  const token = api.redirect.encodeToken({
    secret: event.secrets.CONSENT_SECRET,
    expiresInSeconds: 300,
    payload: { email: event.user.email, terms_version: TERMS_VERSION },
  });
  api.redirect.sendUserTo('https://consent.example.com/terms', {
    query: { session_token: token, continue_uri: `https://${event.request.hostname}/continue` },
  });
};

exports.onContinuePostLogin = async (event, api) => {
  const payload = api.redirect.validateToken({
    secret: event.secrets.CONSENT_SECRET,
    tokenParameterName: 'consent_token',
  });
  if (payload.accepted !== true) {
    api.access.deny('You must accept the terms of service to continue.');
    return;
  }
  api.user.setAppMetadata('terms_version', payload.terms_version);
  api.user.setAppMetadata('terms_accepted_at', payload.accepted_at);
};
