import type { ErrorPageModel } from '@tessera/core';
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

// A wire error code (RFC 6749 §5.2 error = 1*NQSCHAR; ours are snake_case). Anything else may be
// attacker-chosen text from a query string and is not echoed, not even escaped.
const ERROR_CODE = /^[a-z0-9_.-]{1,64}$/i;
// An attacker can still link to an error page with a description of their choosing ("call this
// number…"); a short cap keeps that from becoming a full phishing page.
const MAX_DESCRIPTION = 300;
// Request ids are ours (uuid, ulid, or a proxy's id): same shape rule as codes, a bit longer.
const REQUEST_ID = /^[a-z0-9_.:-]{1,128}$/i;

export function renderError(model: ErrorPageModel, context: PageContext): string {
  const t = context.t.error;
  const code = ERROR_CODE.test(model.error) ? model.error : 'server_error';
  const heading = Object.hasOwn(t.headings, code) ? t.headings[code]! : t.heading;
  const own = Object.hasOwn(t.descriptions, code) ? t.descriptions[code] : undefined;
  const description = truncate((own ?? model.description).trim(), MAX_DESCRIPTION);
  const requestId =
    model.requestId !== undefined && REQUEST_ID.test(model.requestId) ? model.requestId : undefined;

  const body = html`<h1>${heading}</h1>
${description !== '' && html`<p>${description}</p>`}
<p class="reference">${t.codeLabel} <code>${code}</code></p>
${requestId !== undefined && html`<p class="reference">${t.requestIdLabel} <code>${requestId}</code></p>`}`;
  return layout(model, context, t.title, body);
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text); // by code point, never splitting a surrogate pair
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
