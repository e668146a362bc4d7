import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { invalidBody, invalidQuery, invalidUri } from './errors.ts';

// Bodies are checked as sent: no coercion ("5" is not a number) and unknown properties are errors,
// never silently dropped (docs/security.md#40). Query strings arrive as text, so they are coerced.
const bodies = new Ajv({
  verbose: true,
  allErrors: false,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  strict: false,
});
const queries = new Ajv({
  verbose: true,
  allErrors: false,
  coerceTypes: true,
  removeAdditional: false,
  useDefaults: false,
  strict: false,
});

/** Fastify's validator compiler for the Management API scope. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const validate = (httpPart === 'body' ? bodies : queries).compile(schema);
  return (data) => {
    if (validate(data)) return { value: data };
    return { error: toApiError(httpPart, validate.errors ?? []) };
  };
};

function toApiError(part: string | undefined, errors: ErrorObject[]) {
  const first = errors[0];
  const detail = first ? describe(first) : 'invalid value';
  const property = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : undefined;
  const where = property ? ` on property ${property}` : '';
  if (part === 'querystring') return invalidQuery(`Query validation error: '${detail}'${where}.`);
  if (part === 'params') return invalidUri(`Path validation error: '${detail}'${where}.`);
  return invalidBody(`Payload validation error: '${detail}'${where}.`);
}

/** Auth0's phrasing (its validator is z-schema): "Additional properties not allowed: foo"… */
function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `Additional properties not allowed: ${String(params.additionalProperty)}`;
    case 'required':
      return `Missing required property: ${String(params.missingProperty)}`;
    case 'type':
      return `Expected type ${String(params.type)} but found type ${typeName(error.data)}`;
    case 'maxLength':
      return `String is too long (${String((error.data as string)?.length)} chars), maximum ${String(params.limit)}`;
    case 'minLength':
      return `String is too short (${String((error.data as string)?.length)} chars), minimum ${String(params.limit)}`;
    case 'maxItems':
      return `Array is too long (${String((error.data as unknown[])?.length)}), maximum ${String(params.limit)}`;
    case 'enum':
      return `No enum match for: ${JSON.stringify(error.data)}`;
    default:
      return error.message ?? 'invalid value';
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}
