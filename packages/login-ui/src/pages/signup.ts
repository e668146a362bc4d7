import type { SignupError, SignupPageModel } from '@tessera/core';
import { ERROR_ID, errorAlert, form, input, link } from '../fields.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

const HINT_ID = 'password-hint';

/** Which field each error is about; `server_error` is about neither. */
const FIELD_OF: Record<SignupError, 'email' | 'password' | undefined> = {
  email_taken: 'email',
  invalid_email: 'email',
  weak_password: 'password',
  too_many_attempts: undefined,
  server_error: undefined,
};

export function renderSignup(model: SignupPageModel, context: PageContext): string {
  const t = context.t.signup;
  const error = model.error !== undefined && model.error in FIELD_OF ? model.error : undefined;
  const message = model.error === undefined ? undefined : t.errors[error ?? 'server_error'];
  const invalidField = error === undefined ? undefined : FIELD_OF[error];
  const minLength = validMinLength(model.passwordMinLength);

  const emailInvalid = invalidField === 'email';
  const passwordInvalid = invalidField === 'password';

  const body = html`<h1>${t.heading}</h1>
<p class="intro">${t.intro(model.tenantName, model.clientName)}</p>
${errorAlert(message)}
${form(
  model.action,
  { name: '_csrf', token: model.csrfToken },
  html`${input({
    id: 'email',
    name: 'email',
    label: t.emailLabel,
    type: 'email',
    autocomplete: 'email',
    value: model.email,
    invalid: emailInvalid,
    describedBy: emailInvalid ? [ERROR_ID] : [],
    autofocus: !passwordInvalid,
    verbatim: true,
  })}
${input({
  id: 'password',
  name: 'password',
  label: t.passwordLabel,
  type: 'password',
  autocomplete: 'new-password',
  invalid: passwordInvalid,
  describedBy: passwordInvalid ? [ERROR_ID] : [],
  autofocus: passwordInvalid,
  minLength,
  hint: minLength === undefined ? undefined : { id: HINT_ID, text: t.passwordHint(minLength) },
})}
<div class="actions"><button type="submit">${t.submit}</button></div>`,
)}
<p class="alt">${t.haveAccount} ${link(model.loginUrl, t.loginLink)}</p>`;

  return layout(model, context, t.title, body);
}

function validMinLength(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}
