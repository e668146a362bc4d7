/**
 * Require MFA only when logging in to the admin dashboard.
 */
const CLIENTS_WITH_MFA = ['admin-dashboard-client-id'];

exports.onExecutePostLogin = async (event, api) => {
  if (CLIENTS_WITH_MFA.includes(event.client.client_id)) {
    api.multifactor.enable('any', { allowRememberBrowser: true });
  }
};
