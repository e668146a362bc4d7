/** RFC 6749 §4.3's grant type (Auth0: the tenant's default directory). */
export const PASSWORD_GRANT = 'password';
/** Auth0's extension grant: the password grant against the database connection named by `realm`. */
export const PASSWORD_REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';

export const PASSWORD_GRANTS: ReadonlySet<string> = new Set([PASSWORD_GRANT, PASSWORD_REALM_GRANT]);
