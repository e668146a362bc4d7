import { createHash } from 'node:crypto';

/**
 * The only stylesheet: served from our origin (CSP `style-src 'self'`, no inline styles), linked with
 * `?v=<hash>` so it can be cached immutably and still change on deploy.
 * Colours: text and controls meet WCAG 2.2 AA in both schemes (body text ≥ 7:1, borders ≥ 3:1).
 */
export const TESSERA_CSS = `:root {
  color-scheme: light dark;
  --bg: #f3f4f6;
  --card: #ffffff;
  --text: #111827;
  --muted: #4b5563;
  --border: #6b7280;
  --primary: #1d4ed8;
  --on-primary: #ffffff;
  --danger: #b91c1c;
  --danger-bg: #fef2f2;
  --focus: #2563eb;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b0f19;
    --card: #111827;
    --text: #f3f4f6;
    --muted: #cbd5e1;
    --border: #94a3b8;
    --primary: #93c5fd;
    --on-primary: #0b1220;
    --danger: #fca5a5;
    --danger-bg: #3b0d0d;
    --focus: #bfdbfe;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  line-height: 1.5;
  -webkit-text-size-adjust: 100%;
  text-size-adjust: 100%;
}
body {
  margin: 0;
  min-height: 100vh;
  min-height: 100dvh;
  display: grid;
  place-items: center;
  padding: 1rem;
  background: var(--bg);
  color: var(--text);
}
main {
  width: 100%;
  max-width: 25rem;
  padding: 2.5rem 2rem;
  background: var(--card);
  border-radius: 0.75rem;
  box-shadow: 0 1px 3px rgb(0 0 0 / 0.12), 0 8px 24px rgb(0 0 0 / 0.08);
  overflow-wrap: anywhere;
}
.tenant { margin: 0 0 0.5rem; font-size: 0.875rem; font-weight: 600; color: var(--muted); }
h1 { margin: 0 0 0.5rem; font-size: 1.5rem; line-height: 1.25; }
p { margin: 0 0 1rem; }
.intro { color: var(--muted); margin-bottom: 1.5rem; }
.alert {
  margin: 0 0 1rem;
  padding: 0.75rem 1rem;
  border: 1px solid var(--danger);
  border-left-width: 4px;
  border-radius: 0.375rem;
  background: var(--danger-bg);
}
.field { margin-bottom: 1rem; }
label { display: block; margin-bottom: 0.375rem; font-weight: 600; font-size: 0.9375rem; }
input {
  width: 100%;
  padding: 0.625rem 0.75rem;
  font: inherit;
  color: var(--text);
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 0.375rem;
}
input[aria-invalid="true"] { border: 2px solid var(--danger); }
.hint { margin: 0.375rem 0 0; font-size: 0.875rem; color: var(--muted); }
.actions { display: grid; gap: 0.75rem; margin-top: 1.5rem; }
button {
  width: 100%;
  padding: 0.6875rem 1rem;
  font: inherit;
  font-weight: 600;
  color: var(--on-primary);
  background: var(--primary);
  border: 1px solid var(--primary);
  border-radius: 0.375rem;
  cursor: pointer;
}
button.secondary { color: var(--primary); background: transparent; }
a { color: var(--primary); text-underline-offset: 0.15em; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.scopes { margin: 0 0 1rem; padding: 0; list-style: none; border-top: 1px solid var(--border); }
.scopes li { padding: 0.625rem 0; border-bottom: 1px solid var(--border); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.8125rem; color: var(--muted); }
.scopes code { display: block; }
.alt { margin: 1.5rem 0 0; text-align: center; font-size: 0.9375rem; }
.reference { font-size: 0.875rem; color: var(--muted); }
@media (max-width: 30rem) {
  body { padding: 0; place-items: stretch; }
  main { max-width: none; padding: 2rem 1.25rem; border-radius: 0; box-shadow: none; }
}
@media (forced-colors: active) {
  button, input, .alert { border: 1px solid CanvasText; }
  :focus-visible { outline-color: Highlight; }
}
`;

export interface StylesheetAsset {
  body: string;
  /** First 16 hex digits of SHA-256: a cache-busting version, not a security property. */
  hash: string;
}

export function stylesheetAsset(body: string = TESSERA_CSS): StylesheetAsset {
  return { body, hash: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}
