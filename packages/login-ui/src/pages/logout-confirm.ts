import type { LogoutPageModel } from '@tessera/core';
import { form } from '../fields.ts';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

/**
 * Posts to oidc-provider's `/session/end/confirm`, which checks the field `xsrf` and ends the whole
 * session only when `logout` is present: so only the confirm button carries a name (as in
 * oidc-provider's own default page); "no" posts without it and keeps the session.
 */
export function renderLogoutConfirm(model: LogoutPageModel, context: PageContext): string {
  const t = context.t.logout;
  const body = html`<h1>${t.heading}</h1>
<p class="intro">${t.question(model.tenantName, model.clientName)}</p>
${form(
  model.action,
  { name: 'xsrf', token: model.csrfToken },
  html`<div class="actions">
<button type="submit" name="logout" value="yes" autofocus>${t.confirm}</button>
<button type="submit" class="secondary">${t.cancel}</button>
</div>`,
)}`;
  return layout(model, context, t.title, body);
}
