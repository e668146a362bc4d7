/**
 * Refuse logins of users whose phone number is not in E.164 format (e.g. +14155550123).
 */
const E164 = /^\+[1-9]\d{6,14}$/;

exports.onExecutePostLogin = async (event, api) => {
  const phone = event.user.phone_number || event.user.user_metadata.phone;
  if (phone && !E164.test(phone)) {
    api.validation.error('invalid_phone_number', `The phone number ${phone} is not in international format.`);
  }
};
