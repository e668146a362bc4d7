import type { FastifyRequest } from 'fastify';

// The schemas of the login pages' forms: Fastify checks each request against them and the
// json-schema-to-ts type provider gives the handlers their types from the same text. No field is
// required and none is limited here: what a missing or odd field means (a 403 for the CSRF token, the
// "wrong email or password" page for the credentials, "missing state"…) is each step's decision.

/** `?state=<interaction uid>`, on every page of a login. */
export const stateQuery = {
  type: 'object',
  properties: { state: { type: 'string' } },
} as const;

export const loginBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
  },
} as const;

export const signupBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
  },
} as const;

export const consentBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string' },
    /** `accept`; anything else (the deny button) ends the flow with access_denied. */
    action: { type: 'string' },
  },
} as const;

/** Route options of a login page (GET): its state, typed by the schema. */
export const pageRoute = { schema: { querystring: stateQuery }, preValidation: textFieldsOnly };

/** Route options of a login page's form (POST): its state and its fields, typed by the schemas. */
export const formRoute = <const Body extends object>(body: Body) => ({
  schema: { querystring: stateQuery, body },
  preValidation: textFieldsOnly,
});

/**
 * preValidation of the form routes: a form field is one piece of text. A field sent twice (parsed as
 * an array), a JSON value that is not a string, or a body that is not an object at all counts as not
 * sent, as the pages have always treated it, so a hand-made request gets the answer a browser's form
 * missing that field gets (the schemas above then hold by construction).
 */
export async function textFieldsOnly(request: FastifyRequest) {
  request.query = textOnly(request.query);
  if (request.method === 'POST') request.body = textOnly(request.body);
}

// Object.fromEntries defines each key as an own property: a `__proto__` field stays a field.
const textOnly = (value: unknown): Record<string, string> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      )
    : {};
