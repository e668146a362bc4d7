import { html, type SafeHtml } from './html.ts';
import { safeUrl } from './url.ts';

/** The id of the page's error element; invalid inputs point at it with `aria-describedby`. */
export const ERROR_ID = 'form-error';

/** `role="alert"` makes screen readers announce the error when the page loads after a failed post. */
export const errorAlert = (message: string | undefined): SafeHtml | false =>
  message !== undefined && html`<div class="alert" id="${ERROR_ID}" role="alert">${message}</div>`;

export interface InputOptions {
  id: string;
  name: string;
  label: string;
  type: 'text' | 'email' | 'password';
  autocomplete: 'username' | 'current-password' | 'new-password' | 'email';
  value?: string | undefined;
  invalid?: boolean;
  /** Ids of other elements that describe the field (the page error); the hint is added after them. */
  describedBy?: string[];
  autofocus?: boolean;
  minLength?: number | undefined;
  /** Identifiers and emails: no capitalisation or spell-check that would alter what the user typed. */
  verbatim?: boolean;
  /** A rule shown under the field and read with it (after the error, if any). */
  hint?: { id: string; text: string } | undefined;
}

export function input(o: InputOptions): SafeHtml {
  const describedBy = [...(o.describedBy ?? []), ...(o.hint ? [o.hint.id] : [])].join(' ');
  return html`<div class="field">
<label for="${o.id}">${o.label}</label>
<input id="${o.id}" name="${o.name}" type="${o.type}" autocomplete="${o.autocomplete}" required${
    o.value !== undefined && html` value="${o.value}"`
  }${o.verbatim === true && html` autocapitalize="none" spellcheck="false"`}${
    o.minLength !== undefined && html` minlength="${o.minLength}"`
  }${o.invalid === true && html` aria-invalid="true"`}${
    describedBy !== '' && html` aria-describedby="${describedBy}"`
  }${o.autofocus === true && html` autofocus`}>${
    o.hint &&
    html`
<p class="hint" id="${o.hint.id}">${o.hint.text}</p>`
  }
</div>`;
}

/** Every form posts, carries its CSRF token, and goes only to a vetted URL. */
export function form(action: string, csrf: { name: string; token: string }, content: SafeHtml): SafeHtml {
  return html`<form method="post" action="${safeUrl(action)}">
<input type="hidden" name="${csrf.name}" value="${csrf.token}">
${content}
</form>`;
}

export const link = (href: string, text: string): SafeHtml => html`<a href="${safeUrl(href)}">${text}</a>`;
