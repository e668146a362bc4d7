import type { BasePageModel } from '@tessera/core';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

/** Shown after logout when the client gave no (registered) `post_logout_redirect_uri`. */
export function renderLoggedOut(model: BasePageModel, context: PageContext): string {
  const t = context.t.loggedOut;
  const body = html`<h1>${t.heading}</h1>
<p>${t.body(model.tenantName)}</p>`;
  return layout(model, context, t.title, body);
}
