import type { BasePageModel } from '@tessera/core';
import { html, type SafeHtml } from './html.ts';
import { type Locale, type Messages, messages, resolveLocale } from './i18n/index.ts';
import type { StylesheetAsset } from './stylesheet.ts';
import { assetsBase } from './url.ts';

/** What every page renderer receives besides its model. */
export interface PageContext {
  locale: Locale;
  t: Messages;
  stylesheet: StylesheetAsset;
}

export const pageContext = (model: BasePageModel, stylesheet: StylesheetAsset): PageContext => {
  const locale = resolveLocale(model.locale);
  return { locale, t: messages[locale], stylesheet };
};

/**
 * The document around every page. No script and no inline style (CSP `default-src 'self'`), so the
 * pages work, and are meant to work, with JavaScript off. `no-referrer` keeps the interaction URL
 * (state, login_hint) out of other sites' logs; `noindex` keeps login pages out of search results.
 * `dir` is fixed because every supported locale is left-to-right; an RTL locale would add it to Messages.
 */
export function layout(model: BasePageModel, context: PageContext, title: string, body: SafeHtml): string {
  const { locale, t, stylesheet } = context;
  const href = `${assetsBase(model.assetsPath)}/tessera.css?v=${stylesheet.hash}`;
  return html`<!doctype html>
<html lang="${locale}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light dark">
<title>${t.documentTitle(title, model.tenantName)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href}">
</head>
<body>
<main>
<p class="tenant">${model.tenantName}</p>
${body}
</main>
</body>
</html>
`.toString();
}
