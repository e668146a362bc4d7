import { createHash } from 'node:crypto';
import { isJsonObject } from '@tessera/core';
import type { Tenant, TenantDomain } from '@tessera/storage';
import type { FastifyRequest } from 'fastify';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent, invalidQuery } from '../errors.ts';
import { FIELDS_QUERY, idParams, project } from '../query.ts';
import { arrayOf, BOOLEAN, NO_CONTENT, object, STRING } from '../responses.ts';
import { ANY_BODY, featureNotEnabled } from './unavailable.ts';

/** Auth0's custom domain (toWire). */
const DOMAIN = object({
  custom_domain_id: STRING,
  domain: STRING,
  primary: BOOLEAN,
  status: STRING,
  type: STRING,
});

const noSuchDomain = () => inexistent('custom_domain', 'The custom domain does not exist');
const operatorOnly = () =>
  featureNotEnabled(
    "Custom domains are the operator's configuration (TESSERA_DOMAIN and the tenant's domains in the database, each with its DNS and TLS): the Management API lists them but does not change them",
  );

/**
 * Auth0's `/custom-domains`: the domains a tenant is served on (the Host → tenant table) besides its
 * primary one. The primary domain (the issuer's, `TESSERA_DOMAIN` for the first tenant) is the
 * tenant's own domain, what a tool's `AUTH0_DOMAIN` names, and Auth0 never lists a tenant's own domain
 * as a custom one: listing it would make every export carry it, and every import into another Tessera
 * try to create it there. Every domain listed is `ready` with `self_managed_certs`: DNS and TLS are
 * the operator's (Tessera's TLS options, or a proxy), never verified or provisioned here. Adding,
 * changing or deleting one is refused: a domain decides which tenant answers a Host
 * (docs/security.md#45), so a tenant's own API client must not claim one; creating a domain the tenant
 * already serves answers it, so an import of the same configuration succeeds. The id is derived from
 * the domain, so a domain has the same id in every installation that serves it (exports and imports of
 * one domain agree).
 */
export function customDomainRoutes(api: ManagementApi, deps: ManagementDeps): void {
  api.get(
    '/custom-domains',
    {
      config: { scopes: ['read:custom_domains'] },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...FIELDS_QUERY,
            q: { type: 'string', maxLength: 1024 },
            sort: { type: 'string', maxLength: 64 },
          },
        },
        response: { 200: arrayOf(DOMAIN) },
      },
    },
    async (request) => {
      const domains = customDomainsOf(await tenantOf(deps, request)).map(toWire);
      const { sort, q } = request.query;
      if (q) throw invalidQuery("Query validation error: 'q' is not supported: list every domain.");
      if (sort !== undefined) {
        const order = /^domain:(-?1)$/.exec(sort)?.[1];
        if (!order)
          throw invalidQuery("Query validation error: 'sort' supports domain:1 and domain:-1 only.");
        domains.sort((a, b) => a.domain.localeCompare(b.domain) * Number(order));
      }
      return domains.map((domain) => project(domain, request.query));
    },
  );

  api.get(
    '/custom-domains/:id',
    {
      config: { scopes: ['read:custom_domains'] },
      schema: { params: idParams(), response: { 200: DOMAIN } },
    },
    async (request) => {
      const found = customDomainsOf(await tenantOf(deps, request)).find(
        (d) => idOf(d.domain) === request.params.id,
      );
      if (!found) throw noSuchDomain();
      return toWire(found);
    },
  );

  // What Auth0's deploy CLI sends for a domain it matched by id or name: its fields less the
  // read-only ones, which is nothing for a Tessera domain. An empty change is no change.
  api.patch(
    '/custom-domains/:id',
    {
      config: { scopes: ['update:custom_domains'], audit: 'Update a custom domain' },
      schema: { params: idParams(), body: ANY_BODY, response: { 200: DOMAIN } },
    },
    async (request) => {
      const found = customDomainsOf(await tenantOf(deps, request)).find(
        (d) => idOf(d.domain) === request.params.id,
      );
      if (!found) throw noSuchDomain();
      const body = request.body;
      if (body !== undefined && body !== null && (typeof body !== 'object' || Object.keys(body).length > 0))
        throw operatorOnly();
      return toWire(found);
    },
  );

  api.post(
    '/custom-domains',
    {
      config: { scopes: ['create:custom_domains'], audit: 'Create a custom domain' },
      schema: { body: ANY_BODY, response: { 201: DOMAIN } },
    },
    async (request, reply) => {
      const body = request.body;
      const asked = isJsonObject(body) ? body.domain : undefined;
      const served =
        typeof asked === 'string'
          ? (await tenantOf(deps, request)).domains.find((d) => d.domain === asked.trim().toLowerCase())
          : undefined;
      if (!served) throw operatorOnly();
      return reply.code(201).send(toWire(served));
    },
  );
  api.delete(
    '/custom-domains/:id',
    {
      config: { scopes: ['delete:custom_domains'], audit: 'Delete a custom domain' },
      schema: { params: idParams(), response: NO_CONTENT },
    },
    async () => {
      throw operatorOnly();
    },
  );
}

/** Fresh from the database: the tenant on the request may be up to 5 s old (the Host → tenant cache). */
async function tenantOf(deps: ManagementDeps, request: FastifyRequest): Promise<Tenant> {
  return (await deps.storage.tenants.findById(request.tenant.id)) ?? request.tenant;
}

const customDomainsOf = (tenant: Tenant) => tenant.domains.filter((d) => !d.isPrimary);

const idOf = (domain: string) => `cd_${createHash('sha256').update(domain).digest('hex').slice(0, 16)}`;

function toWire(domain: TenantDomain) {
  return {
    custom_domain_id: idOf(domain.domain),
    domain: domain.domain,
    primary: domain.isPrimary,
    status: 'ready',
    type: 'self_managed_certs',
  };
}
