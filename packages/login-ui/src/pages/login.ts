import type { LoginPageModel } from '@tessera/core';
import { ERROR_ID, errorAlert, form, input, link } from '../fields.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export function renderLogin(model: LoginPageModel, context: PageContext): string {
  const t = context.t.login;
  const message = model.error === undefined ? undefined : errorText(model, context);
  // Either field may be the wrong one and the page must not say which, so both are marked.
  const invalid = model.error === 'invalid_credentials';
  const describedBy = invalid ? [ERROR_ID] : [];
  const prefilled = model.identifier !== undefined && model.identifier !== '';

  const body = html`<h1>${t.heading}</h1>
<p class="intro">${t.intro(model.tenantName, model.clientName)}</p>
${errorAlert(message)}
${form(
  model.action,
  { name: '_csrf', token: model.csrfToken },
  html`${input({
    id: 'username',
    name: 'username',
    label: t.identifierLabel,
    type: 'text',
    autocomplete: 'username',
    value: model.identifier,
    invalid,
    describedBy,
    autofocus: !prefilled,
    verbatim: true,
  })}
${input({
  id: 'password',
  name: 'password',
  label: t.passwordLabel,
  type: 'password',
  autocomplete: 'current-password',
  invalid,
  describedBy,
  autofocus: prefilled,
})}
<div class="actions"><button type="submit">${t.submit}</button></div>`,
)}
${model.signupUrl !== undefined && html`<p class="alt">${t.noAccount} ${link(model.signupUrl, t.signupLink)}</p>`}`;

  return layout(model, context, t.title, body);
}

function errorText(model: LoginPageModel, context: PageContext): string {
  const errors = context.t.login.errors;
  switch (model.error) {
    case 'too_many_attempts':
      return errors.too_many_attempts(retryMinutes(model.retryAfterSeconds));
    case 'invalid_credentials':
    case 'blocked':
      return errors[model.error];
    default:
      // Unknown codes (a caller's typo, a newer core) still show something safe and generic.
      return errors.server_error;
  }
}

/** Rounded up so the user never retries too early; absent or nonsense → "try again later". */
function retryMinutes(seconds: number | undefined): number | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.ceil(seconds / 60);
}
