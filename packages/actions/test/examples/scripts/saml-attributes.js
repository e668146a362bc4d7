/**
 * Map profile fields to the SAML attributes the service provider expects.
 */
exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.protocol !== 'samlp') {
    return;
  }
  const metadata = event.user.user_metadata;
  api.samlResponse.setAttribute('http://schemas.example.com/claims/department', metadata.department);
  api.samlResponse.setAttribute('http://schemas.example.com/claims/employee_id', metadata.employee_id);
  api.samlResponse.setAttribute('http://schemas.example.com/claims/groups', metadata.groups || []);
  api.samlResponse.setAttribute('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', null);
};
