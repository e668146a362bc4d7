/**
 * The legacy HR portal expects its own audience and short-lived assertions.
 */
const HR_PORTAL_CLIENT_ID = 'hr-portal-client-id';

exports.onExecutePostLogin = async (event, api) => {
  if (event.client.client_id !== HR_PORTAL_CLIENT_ID) {
    return;
  }
  api.samlResponse.setAudience('urn:acme:hr-portal');
  api.samlResponse.setRecipient('https://hr.example.com/saml/acs');
  api.samlResponse.setLifetimeInSeconds(600);
  api.samlResponse.setSignResponse(true);
  api.samlResponse.setNameIdentifierFormat('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
};
