/**
 * Tell the application which organization the user logged in to.
 */
exports.onExecutePostLogin = async (event, api) => {
  if (!event.organization) {
    return;
  }
  const namespace = 'https://my-app.example.com';
  api.idToken.setCustomClaim(`${namespace}/organization`, {
    id: event.organization.id,
    name: event.organization.name,
    display_name: event.organization.display_name,
  });
  api.accessToken.setCustomClaim(`${namespace}/org_plan`, event.organization.metadata.plan || 'free');
};
