import type { ConsentPageModel, ConsentScope } from '@tessera/core';
import { form } from '../fields.ts';
import { html } from '../html.ts';
import type { Messages } from '../i18n/index.ts';
import { layout, type PageContext } from '../layout.ts';
import { safeUrl } from '../url.ts';

/**
 * Both buttons sit in one form, so both post the CSRF token; the button pressed is posted as
 * `action=accept|deny`, the names Auth0's consent prompt uses.
 */
export function renderConsent(model: ConsentPageModel, context: PageContext): string {
  const t = context.t.consent;
  const scopes = model.scopes.map((scope) => scopeItem(scope, context.t.scopes));

  const body = html`<h1>${t.heading(model.clientName)}</h1>
<p class="intro">${t.intro(model.clientName, model.tenantName)}</p>
${model.audience !== undefined && html`<p>${t.audience(model.audience)}</p>`}
${form(
  model.action,
  { name: '_csrf', token: model.csrfToken },
  html`${
    scopes.length > 0 &&
    html`<p id="scopes-label">${t.scopesLabel}</p>
<ul class="scopes" aria-labelledby="scopes-label">
${scopes}</ul>`
  }
<div class="actions">
<button type="submit" name="action" value="accept">${t.accept}</button>
<button type="submit" name="action" value="deny" class="secondary"${
    model.denyAction !== undefined && html` formaction="${safeUrl(model.denyAction)}"`
  }>${t.deny}</button>
</div>`,
)}`;

  return layout(model, context, t.title, body);
}

/** Standard OIDC scopes get our localized text; custom ones the resource server's, else their name. */
function scopeItem(scope: ConsentScope, known: Messages['scopes']) {
  const text = Object.hasOwn(known, scope.value)
    ? known[scope.value as keyof Messages['scopes']]
    : (scope.description ?? scope.value);
  return html`<li>${text} <code>${scope.value}</code></li>
`;
}
