import type { FastifyInstance } from 'fastify';
import type { ManagementDeps } from '../plugin.ts';
import { actionDeployRoutes } from './action-deploy.ts';
import { actionVersionRoutes } from './action-versions.ts';
import { actionRoutes } from './actions.ts';
import { attackProtectionRoutes } from './attack-protection.ts';
import { brandingRoutes } from './branding.ts';
import { clientGrantRoutes } from './client-grants.ts';
import { clientRoutes } from './clients.ts';
import { connectionRoutes } from './connections.ts';
import { customDomainRoutes } from './custom-domains.ts';
import { emailRoutes } from './emails.ts';
import { emptyResourceRoutes } from './empty-resources.ts';
import { executionRoutes } from './executions.ts';
import { formRoutes } from './forms.ts';
import { guardianRoutes } from './guardian.ts';
import { keyRoutes } from './keys.ts';
import { logRoutes } from './logs.ts';
import { promptRoutes } from './prompts.ts';
import { resourceServerRoutes } from './resource-servers.ts';
import { riskAssessmentRoutes } from './risk-assessments.ts';
import { roleMemberRoutes } from './role-members.ts';
import { rolePermissionRoutes } from './role-permissions.ts';
import { roleRoutes } from './roles.ts';
import { tenantSettingsRoutes } from './tenant-settings.ts';
import { triggerRoutes } from './triggers.ts';
import { userAuthenticationMethodRoutes } from './user-authentication-methods.ts';
import { userBlockRoutes } from './user-blocks.ts';
import { userRoleRoutes } from './user-roles.ts';
import { userUpdateRoutes } from './user-update.ts';
import { userRoutes } from './users.ts';

/** Every resource of the Management API, each in its own file (routes/<resource>.ts). */
export function managementRoutes(api: FastifyInstance, deps: ManagementDeps): void {
  logRoutes(api, deps);
  actionRoutes(api, deps);
  actionDeployRoutes(api, deps);
  actionVersionRoutes(api, deps);
  triggerRoutes(api, deps);
  executionRoutes(api, deps);
  clientRoutes(api, deps);
  clientGrantRoutes(api, deps);
  resourceServerRoutes(api, deps);
  roleRoutes(api, deps);
  rolePermissionRoutes(api, deps);
  roleMemberRoutes(api, deps);
  keyRoutes(api, deps);
  formRoutes(api, deps);
  tenantSettingsRoutes(api, deps);
  guardianRoutes(api, deps);
  userRoutes(api, deps);
  userUpdateRoutes(api, deps);
  userRoleRoutes(api, deps);
  userAuthenticationMethodRoutes(api, deps);
  userBlockRoutes(api, deps);
  connectionRoutes(api, deps);
  // Auth0's tenant configuration that its deploy CLI reads on every run (README "Where the
  // Management API differs from Auth0").
  attackProtectionRoutes(api, deps);
  riskAssessmentRoutes(api, deps);
  customDomainRoutes(api, deps);
  promptRoutes(api, deps);
  brandingRoutes(api, deps);
  emailRoutes(api, deps);
  emptyResourceRoutes(api, deps);
}
