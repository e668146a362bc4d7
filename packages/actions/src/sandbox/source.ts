import { readFileSync } from 'node:fs';

/**
 * The script every fresh context runs before tenant code: the stdlib (TextEncoder, URL, Buffer…), the
 * api builder and the prelude (globals + entry point), joined into one function expression whose
 * parameters are the host callbacks. They are passed as arguments, never set as globals, so tenant
 * code can reach them only through the stubs (docs/security.md#6).
 */
// A formatter may end a file with `;`, which would break the `(<file>)(…)` call: strip it.
const read = (name: string) =>
  readFileSync(new URL(name, import.meta.url), 'utf8')
    .trim()
    .replace(/;$/, '');

/** Host callbacks, in the order the sandbox script takes them. */
export const HOST_CALLBACKS = [
  'record',
  'log',
  'urlParse',
  'random',
  'digest',
  'hmac',
  'encodeToken',
  'validateToken',
  'startAsync',
  'cache',
] as const;

export const SANDBOX_SOURCE = `(function tesseraSandbox(${HOST_CALLBACKS.join(', ')}) {
'use strict';
const host = { ${HOST_CALLBACKS.join(', ')} };
const stdlibFactory = (${read('./stdlib.js')});
let std;
const stdlib = () => std ?? (std = stdlibFactory(host));
const buildApi = (${read('./api.js')})(host);
return (${read('./prelude.js')})(host, stdlib, buildApi);
})`;

/**
 * CommonJS wrapper for an action's code, as Node wraps modules. The header sits on its own line and
 * the script is compiled with `lineOffset: -1`, so positions in errors are the tenant's own.
 */
export const MODULE_HEADER = '(function (exports, require, module, __filename, __dirname) {\n';
export const wrapModule = (code: string) => `${MODULE_HEADER}${code}\n})`;
