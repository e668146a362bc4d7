import { isPlainObject, optionalObject, quote, typeName, utf8Bytes } from './checks.ts';
import { MAX_URL_BYTES } from './limits.ts';
import { redirectUrl } from './urls.ts';
import type { Outcome, RunState, Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

const METHOD = 'api.redirect.sendUserTo';

/**
 * Why a transaction that cannot redirect refuses: Auth0 lists oauth2-resource-owner and
 * oauth2-refresh-token (no browser) and prompt=none (no interaction allowed). The trigger layer maps a
 * prompt=none login to `interaction_required`.
 */
export function cannotRedirect(method: string, state: RunState): Outcome {
  return {
    ok: false,
    message: `${method}: this transaction cannot redirect the user (protocol ${quote(state.context.protocol)} or prompt=none); check api.redirect.canRedirect() first`,
    interaction: true,
  };
}

/**
 * `api.redirect.sendUserTo(url, { query })`. The query option is merged with `set` semantics (an option
 * replaces a parameter of the same name already in the URL). `state` is refused in both: Tessera adds
 * the transaction's state itself and the external site must send back exactly that one.
 */
const sendUserTo: Validator = ([urlArg, options], state) => {
  if (!state.context.canRedirect) return cannotRedirect(METHOD, state);
  const parsed = redirectUrl(urlArg, `${METHOD}: url`, state.context.allowHttpRedirects === true);
  if (!parsed.ok) return refuse(parsed.message);
  const url = parsed.url;
  const query = readQuery(options);
  if (typeof query === 'string') return refuse(query);
  if (url.searchParams.has('state') || Object.hasOwn(query, 'state')) {
    return refuse(`${METHOD}: the "state" query parameter is reserved; Tessera adds the transaction's state`);
  }
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const bytes = utf8Bytes(url.href);
  if (bytes > MAX_URL_BYTES) {
    return refuse(`${METHOD}: the URL with its query is ${bytes} bytes; the limit is ${MAX_URL_BYTES} bytes`);
  }
  return accept({ type: 'redirect.sendUserTo', url: url.href });
};

/** The `query` option as name → string, or an error message. */
function readQuery(options: unknown): Record<string, string> | string {
  const problem = optionalObject(options, `${METHOD}: options`);
  if (problem !== undefined) return problem;
  const query = (options as { query?: unknown } | undefined)?.query;
  if (query === undefined) return {};
  if (!isPlainObject(query)) {
    return `${METHOD}: options.query must be an object of strings (got ${typeName(query)})`;
  }
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') {
      return `${METHOD}: options.query[${quote(name)}] must be a string (got ${typeName(value)})`;
    }
  }
  return query as Record<string, string>;
}

export const redirectValidators: Record<string, Validator> = { 'redirect.sendUserTo': sendUserTo };
