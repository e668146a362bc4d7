import { parseArgs } from 'node:util';
import { ACTION_LIMITS } from '@tessera/storage';
import type { DeployOptions } from './index.ts';

/** `actions deploy`'s arguments, or what is wrong with them (a usage error, exit code 2). */
export function parseDeployArgs(args: string[]): DeployOptions | string {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      secrets: { type: 'string' },
      bind: { type: 'string' },
      'no-bind': { type: 'boolean', default: false },
      tenant: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) return 'actions deploy needs exactly one action file';
  const { name, bind } = values;
  if (name === undefined) return 'actions deploy needs --name <name>';
  if (name.length === 0 || name.length > ACTION_LIMITS.name)
    return `--name must be 1 to ${ACTION_LIMITS.name} characters`;
  if (bind !== undefined && values['no-bind']) return '--bind and --no-bind exclude each other';
  if (bind !== undefined && !/^[1-9]\d{0,5}$/.test(bind))
    return '--bind must be a position from 1 (the first action to run)';
  const position = bind === undefined ? undefined : Number(bind);
  return {
    file: positionals[0] as string,
    name,
    secrets: values.secrets,
    tenant: values.tenant,
    json: values.json,
    bind: values['no-bind'] ? { at: 'none' } : { at: position ?? 'end' },
  };
}
