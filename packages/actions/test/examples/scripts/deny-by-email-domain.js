/**
 * Only let employees in: the user's email must belong to one of the company domains.
 */
const ALLOWED_DOMAINS = ['example.com', 'example.org'];

exports.onExecutePostLogin = async (event, api) => {
  const email = event.user.email || '';
  const domain = email.split('@').pop().toLowerCase();
  if (!ALLOWED_DOMAINS.includes(domain)) {
    api.access.deny('Access denied: please sign in with your company email address.');
  }
};
