/**
 * Blocked users lose their refresh tokens the next time the application uses one, and cannot log in.
 */
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.blocked !== true) {
    return;
  }
  if (event.transaction.protocol === 'oauth2-refresh-token') {
    api.refreshToken.revoke('This account is blocked.');
  } else {
    api.access.deny('This account is blocked.');
  }
};
