import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { ANY, object, STRING } from '../responses.ts';
import { ID_PARAMS } from './actions-schema.ts';
import { ACTION_VERSION, actionNotFound, orNotFound, versionWire } from './actions-wire.ts';

/** Auth0's test answer: the run's report (core's ActionTestPayload). */
const TEST_REPORT = object({
  payload: object({
    outcome: STRING,
    commands: ANY,
    logs: STRING,
    stats: ANY,
    error: object({ id: STRING, msg: STRING }),
  }),
});

/**
 * The deploy gate: syntax (with the line and column in the tenant's code), the exported
 * `onExecutePostLogin`, size ≤ 100 KB and modules outside the allowed set all refuse the deploy with
 * 400 before any version exists. (Auth0 builds asynchronously and reports such problems later on the
 * version; Tessera knows them at once, so a broken version never becomes the one logins run.)
 */
export async function checkCode(deps: ManagementDeps, code: string): Promise<void> {
  const check = await deps.actions.check(code);
  if (check.ok) return;
  const problems = check.problems.map((p) =>
    p.line === undefined ? p.message : `${p.message} (line ${p.line}, column ${p.column})`,
  );
  throw new ApiError(400, 'invalid_action_code', `The action cannot be deployed: ${problems.join('; ')}`);
}

/** `POST /actions/actions/{id}/deploy` and `/test`: the draft becomes a version, or runs once as a trial. */
export function actionDeployRoutes(api: ManagementApi, deps: ManagementDeps): void {
  const { storage } = deps;

  api.post(
    '/actions/actions/:id/deploy',
    {
      config: { scopes: ['create:actions'], audit: 'Deploy an action' },
      schema: { params: ID_PARAMS, response: { 202: ACTION_VERSION } },
    },
    async (request, reply) => {
      const draft = await storage.actions.get(request.tenant.id, request.params.id);
      if (!draft) throw actionNotFound();
      await checkCode(deps, draft.code);
      // `ifCode`: an edit that landed during the check is refused (409), never deployed unchecked.
      const deployed = storage.actions.deploy(request.tenant.id, draft.id, { ifCode: draft.code });
      const { version } = await orNotFound(deployed, actionNotFound);
      const action = await storage.actions.get(request.tenant.id, draft.id);
      // 202 as Auth0 answers (its build is asynchronous); Tessera's version is already the deployed one.
      return reply.code(202).send(versionWire(version, action ?? draft));
    },
  );

  api.post(
    '/actions/actions/:id/test',
    {
      config: { scopes: ['create:actions'], audit: 'Test an action' },
      schema: {
        params: ID_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['payload'],
          properties: { payload: { type: 'object' } },
        },
        response: { 200: TEST_REPORT },
      },
    },
    async (request) => {
      // The draft, with the draft's secrets: testing is how a change is tried before it is deployed.
      const draft = await storage.actions.draft(request.tenant.id, request.params.id);
      if (!draft) throw actionNotFound();
      return deps.actions.test({
        tenantId: request.tenant.id,
        code: draft.code,
        secrets: draft.secrets,
        event: request.body.payload,
      });
    },
  );
}
