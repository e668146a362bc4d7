/**
 * Shared kiosk devices get short, non-persistent sessions.
 */
const KIOSK_CLIENT_ID = 'kiosk-client-id';
const HOUR = 60 * 60 * 1000;

exports.onExecutePostLogin = async (event, api) => {
  if (event.client.client_id !== KIOSK_CLIENT_ID || !event.session) {
    return;
  }
  const authenticatedAt = new Date(event.session.authenticated_at).getTime();
  api.session.setExpiresAt(authenticatedAt + 8 * HOUR);
  api.session.setIdleExpiresAt(authenticatedAt + HOUR / 4);
  api.session.setCookieMode('non-persistent');
};
