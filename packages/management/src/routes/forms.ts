import type { Form, FormChanges } from '@tessera/storage';
import type { FromSchema } from 'json-schema-to-ts';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent, invalidBody } from '../errors.ts';
import { ID_PARAMS, listQuery, listResponse, pageOf } from '../query.ts';
import { ANY, NO_CONTENT, object, offsetList, STRING } from '../responses.ts';
import { pick, READ_ONLY_ID, sameAsStored, TIMESTAMPS, withoutKeys } from './read-only.ts';

// The structural basics of Auth0's form schema; the components inside a step are left to the renderer.
const NODE_TYPES = ['FLOW', 'ROUTER', 'STEP'];
const MAX_NODES = 100;
const OBJECT = { type: 'object' } as const;
const COORDINATES = {
  type: 'object',
  additionalProperties: false,
  required: ['x', 'y'],
  properties: { x: { type: 'number' }, y: { type: 'number' } },
} as const;
const NODE = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64 },
    type: { type: 'string', enum: NODE_TYPES },
    alias: { type: 'string', maxLength: 150 },
    coordinates: COORDINATES,
    config: OBJECT,
  },
} as const;
/** Auth0's part objects, each closed to unknown members (docs/security.md#40). */
const strict = (properties: Record<string, object>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});
const POINTER = { type: 'string', minLength: 1, maxLength: 64 } as const;
const PARTS = {
  messages: strict({ errors: OBJECT, custom: OBJECT }),
  languages: strict({
    primary: { type: 'string', maxLength: 32 },
    default: { type: 'string', maxLength: 32 },
  }),
  translations: OBJECT,
  start: strict({
    hidden_fields: { type: 'array', maxItems: 100 },
    next_node: POINTER,
    coordinates: COORDINATES,
  }),
  ending: strict({
    redirection: OBJECT,
    after_submit: OBJECT,
    coordinates: COORDINATES,
    resume_flow: { type: 'boolean' },
  }),
  style: strict({ css: { type: 'string', maxLength: 100_000 } }),
};
const nullable = (schema: { type: string }) => ({ ...schema, type: [schema.type, 'null'] });
const NAME = { type: 'string', minLength: 1, maxLength: 150 } as const;

const FORM_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: NAME, nodes: { type: 'array', maxItems: MAX_NODES, items: NODE }, ...PARTS },
} as const;

// PATCH: every part optional, and `null` resets a part (Auth0's `*Nullable` types), except the name.
const FORM_PATCH = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // The form as GET returns it may come back (read-only.ts): its own id, and its times, ignored.
    id: READ_ONLY_ID,
    ...TIMESTAMPS,
    name: NAME,
    nodes: { type: ['array', 'null'], maxItems: MAX_NODES, items: NODE },
    ...Object.fromEntries(Object.entries(PARTS).map(([name, schema]) => [name, nullable(schema)])),
  },
} as const;

const READ_ONLY = ['id', 'created_at', 'updated_at'] as const;

const TIMES = { created_at: STRING, updated_at: STRING } as const;
/** A form in a list: Auth0 lists names only. */
const FORM_SUMMARY = object({ id: STRING, name: STRING, ...TIMES });
/** Auth0's form (toWire); its parts as stored, which FORM_BODY checked when they were written. */
const FORM = object({
  id: STRING,
  name: STRING,
  messages: ANY,
  languages: ANY,
  translations: ANY,
  nodes: ANY,
  start: ANY,
  ending: ANY,
  style: ANY,
  ...TIMES,
});
const notFound = () => inexistent('form', 'The form does not exist');

/** Auth0 Forms (`/forms`): the pages `api.prompt.render(formId)` shows during a login. */
export function formRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  // The bodies are typed as storage's FormChanges, not inferred: the part schemas are built by helpers
  // (strict, nullable) json-schema-to-ts cannot see through. Params and answers are inferred.
  api.post<{ Body: FormChanges & { name: string } }>(
    '/forms',
    {
      config: { scopes: ['create:forms'], audit: 'Create a form' },
      schema: { body: FORM_BODY, response: { 201: FORM } },
    },
    async (request, reply) => {
      checkNodeIds(request.body.nodes);
      const form = await storage.forms.create(request.tenant.id, withoutNulls(request.body));
      return reply.code(201).send(toWire(form));
    },
  );

  api.get(
    '/forms',
    {
      config: { scopes: ['read:forms'] },
      schema: { querystring: listQuery(), response: { 200: offsetList('forms', FORM_SUMMARY) } },
    },
    async (request) => {
      const { skip, perPage } = pageOf(request.query);
      const { forms, total } = await storage.forms.list(request.tenant.id, { skip, take: perPage });
      const items = forms.map(toSummary);
      return listResponse('forms', items, total, request.query, { length: false });
    },
  );

  api.get(
    '/forms/:id',
    { config: { scopes: ['read:forms'] }, schema: { params: ID_PARAMS, response: { 200: FORM } } },
    async (request) => {
      const form = await storage.forms.get(request.tenant.id, request.params.id);
      if (!form) throw notFound();
      return toWire(form);
    },
  );

  api.patch<{
    Params: FromSchema<typeof ID_PARAMS>;
    Body: FormChanges & { id?: string; created_at?: string; updated_at?: string };
  }>(
    '/forms/:id',
    {
      config: { scopes: ['update:forms'], audit: 'Update a form' },
      schema: { params: ID_PARAMS, body: FORM_PATCH, response: { 200: FORM } },
    },
    async (request) => {
      sameAsStored(pick(request.body, ['id']), { id: request.params.id });
      const changes = withoutKeys(request.body, READ_ONLY);
      checkNodeIds(changes.nodes);
      const form = await storage.forms.update(request.tenant.id, request.params.id, changes);
      if (!form) throw notFound();
      return toWire(form);
    },
  );

  api.delete(
    '/forms/:id',
    {
      config: { scopes: ['delete:forms'], audit: 'Delete a form' },
      schema: { params: ID_PARAMS, response: NO_CONTENT },
    },
    async (request, reply) => {
      if (!(await storage.forms.remove(request.tenant.id, request.params.id))) throw notFound();
      return reply.code(204).send();
    },
  );
}

/** Routers and steps point at nodes by id: two nodes with one id would make a pointer ambiguous. */
function checkNodeIds(nodes: FormChanges['nodes']): void {
  const seen = new Set<string>();
  for (const node of nodes ?? []) {
    const id = String(node.id);
    if (seen.has(id))
      throw invalidBody(
        `Payload validation error: 'Duplicate node id ${id.slice(0, 64)}' on property nodes.`,
      );
    seen.add(id);
  }
}

const withoutNulls = <T extends object>(body: T) =>
  Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };

/** Auth0's form shape; `start` / `ending` only when set. */
function toWire(form: Form): Record<string, unknown> {
  return {
    id: form.id,
    name: form.name,
    messages: form.messages,
    languages: form.languages,
    translations: form.translations,
    nodes: form.nodes,
    ...(form.start === null ? {} : { start: form.start }),
    ...(form.ending === null ? {} : { ending: form.ending }),
    style: form.style,
    created_at: form.createdAt.toISOString(),
    updated_at: form.updatedAt.toISOString(),
  };
}

const toSummary = (form: Form) => ({
  id: form.id,
  name: form.name,
  created_at: form.createdAt.toISOString(),
  updated_at: form.updatedAt.toISOString(),
});
