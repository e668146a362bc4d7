import type { BasePageModel } from '@tessera/core';
import { html } from '../html.ts';
import { layout, type PageContext, pageContext } from '../layout.ts';
import { type StylesheetAsset, stylesheetAsset } from '../stylesheet.ts';
import { safeUrl } from '../url.ts';

/** The server's front page (`GET /`): what this server is and where to go next. */
export interface HomePageModel extends BasePageModel {
  /** The tenant's issuer, `<scheme>://<domain>/`. */
  issuer: string;
  /** Its discovery document. */
  discoveryUrl: string;
}

/** A command, not wording: the same in every locale. */
const TRY_COMMAND = 'pnpm tessera try';

export function renderHome(model: HomePageModel, context: PageContext): string {
  const t = context.t.home;
  const body = html`<h1>${t.heading}</h1>
<p>${t.intro}</p>
<p>${t.issuerLabel} <code>${model.issuer}</code></p>
<p><a href="${safeUrl(model.discoveryUrl)}">${t.discoveryLink}</a></p>
<p>${t.docs}</p>
<p>${t.tryBefore} <code>${TRY_COMMAND}</code> ${t.tryAfter}</p>`;
  return layout(model, context, t.title, body);
}

/** The front page renderer, its stylesheet hashed once (the login pages' stylesheet). */
export function createHomePage(
  stylesheet: StylesheetAsset = stylesheetAsset(),
): (model: HomePageModel) => string {
  return (model) => renderHome(model, pageContext(model, stylesheet));
}
