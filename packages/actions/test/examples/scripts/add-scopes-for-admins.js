/**
 * Give administrators the admin scopes on the API they are requesting.
 */
exports.onExecutePostLogin = async (event, api) => {
  const roles = event.authorization?.roles || [];
  if (
    roles.includes('admin') &&
    event.resource_server &&
    event.resource_server.identifier === 'https://api.example.com'
  ) {
    api.accessToken.addScope('read:admin');
    api.accessToken.addScope('write:admin');
  }
};
