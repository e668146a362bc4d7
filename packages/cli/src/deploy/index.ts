import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '@tessera/config';
import type { Storage } from '@tessera/storage';
import type { CliIo } from '../io.ts';
import { readSecrets, UsageError } from '../json-input.ts';
import { checkCode } from './check-code.ts';
import { DeployError } from './deploy-error.ts';
import { findTenant } from './find-tenant.ts';
import { checkMasterKey, openInstallation } from './open-installation.ts';
import { type BindRequest, placeAt, planBinding } from './plan-binding.ts';
import { bindingLine, cliLogger, reportFailure, reportProblems, summary, TRIGGER } from './report.ts';
import { saveAndDeploy } from './save-action.ts';

export interface DeployOptions {
  file: string;
  name: string;
  secrets?: string;
  bind: BindRequest;
  tenant?: string;
  json?: boolean;
}

interface Inputs {
  code: string;
  /** Undefined without --secrets: an existing action keeps its secrets. */
  secrets: Array<{ name: string; value: string }> | undefined;
}

/**
 * `tessera actions deploy`: read the files → check the code → open the installation → deploy into
 * it. Text mode prints a line per step as it is done; `--json` prints one object at the end.
 */
export async function deployCommand(options: DeployOptions, io: CliIo): Promise<number> {
  let inputs: Inputs;
  try {
    inputs = await readInputs(options, io.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`tessera: ${error.message}\n`);
    return 2;
  }
  const say = (line: string) => {
    if (!options.json) io.stdout(`${line}\n`);
  };
  try {
    const config = loadConfig({ env: process.env });
    const check = await checkCode(inputs.code, config.actions);
    if (!check.ok) {
      reportProblems(io, Boolean(options.json), options.file, check.kind, check.problems);
      return 1;
    }
    say(`checked ${options.file}`);
    const storage = await openInstallation(config, cliLogger(io));
    try {
      const result = await deployInto(storage, options, inputs, say);
      if (options.json) io.stdout(`${JSON.stringify(result)}\n`);
      return 0;
    } finally {
      await storage.close();
    }
  } catch (error) {
    return reportFailure(io, error);
  }
}

async function readInputs(options: DeployOptions, cwd: string): Promise<Inputs> {
  const code = await readFile(resolve(cwd, options.file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read action ${options.file}: ${error.code ?? String(error)}`);
  });
  if (options.secrets === undefined) return { code, secrets: undefined };
  const secrets = await readSecrets(resolve(cwd, options.secrets));
  return { code, secrets: Object.entries(secrets).map(([name, value]) => ({ name, value })) };
}

/**
 * tenant → existing action → binding plan → create or update → deploy → bind. Everything that can
 * refuse the deploy (unknown tenant, foreign master key, position out of range) runs before the
 * first write.
 */
async function deployInto(
  storage: Storage,
  options: DeployOptions,
  inputs: Inputs,
  say: (line: string) => void,
) {
  const tenant = await findTenant(storage, options.tenant);
  await checkMasterKey(storage, tenant);
  const existing = await storage.actions.findByName(tenant.id, options.name);
  if (existing && !existing.supportedTriggers.some((t) => t.id === TRIGGER))
    throw new DeployError(`action ${options.name} exists and is not a ${TRIGGER} action`);
  const current = await storage.actions.bindings(tenant.id, TRIGGER);
  const plan = planBinding(current, existing?.id, options.bind);

  const saved = await saveAndDeploy(storage, tenant.id, existing, { name: options.name, ...inputs });
  say(`${saved.created ? 'created' : 'updated'} action ${options.name} (${saved.id})`);
  say(`deployed ${options.name} version ${saved.version.number} (${saved.version.id})`);
  // A read-modify-write of the order: another deploy binding at the same moment could be lost, as
  // when two admins save a flow at once. One operator deploying at a time is the expected use.
  if (plan.change) await storage.actions.bind(tenant.id, TRIGGER, placeAt(current, saved.id, plan.position!));
  say(bindingLine(plan, options.bind));
  return summary(tenant.name, options.name, saved, plan);
}
