/**
 * Progressive profiling: count logins, and on the third one ask for the job title if it is missing.
 */
const ASK_ON_LOGIN = 3;

exports.onExecutePostLogin = async (event, api) => {
  const seen = (event.user.user_metadata.profile_logins || 0) + 1;
  api.user.setUserMetadata('profile_logins', seen);
  if (seen >= ASK_ON_LOGIN && !event.user.user_metadata.job_title && api.redirect.canRedirect()) {
    api.prompt.render('prm_job_title', { vars: { name: event.user.given_name } });
  }
};

exports.onContinuePostLogin = async (event, api) => {
  const title = event.prompt?.fields.job_title;
  if (title) {
    api.user.setUserMetadata('job_title', String(title).trim());
  }
};
