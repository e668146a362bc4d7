import { copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { POST_LOGIN_TYPES_PATH } from '@tessera/actions';
import type { CliIo } from './io.ts';

/** `tessera actions types`: the `.d.ts` tenants point their editor at. */
export async function typesCommand(out: string | undefined, io: CliIo): Promise<number> {
  const target = resolve(io.cwd, out ?? 'post-login.d.ts');
  try {
    await copyFile(fileURLToPath(POST_LOGIN_TYPES_PATH), target);
  } catch (error) {
    io.stderr(`tessera: cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return 2;
  }
  io.stdout(`wrote ${target}\n`);
  return 0;
}
