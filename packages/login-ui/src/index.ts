export { createLoginPages } from './create-login-pages.ts';
export { escapeHtml, html, type Interpolation, SafeHtml } from './html.ts';
export { type Locale, type Messages, messages, SUPPORTED_LOCALES } from './i18n/index.ts';
export { negotiateLocale } from './negotiate-locale.ts';
export { createHomePage, type HomePageModel } from './pages/home.ts';
export { type StylesheetAsset, stylesheetAsset, TESSERA_CSS } from './stylesheet.ts';
