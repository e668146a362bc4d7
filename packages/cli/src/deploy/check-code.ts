import { type CheckResult, createActionsRuntime } from '@tessera/actions';
import type { Config } from '@tessera/config';
import { createMemoryKv } from '@tessera/storage';

/**
 * The runtime's deploy-time check (syntax with positions, modules, the exported handler), in one
 * sandbox worker under the server's isolate limits, before the database is opened at all.
 */
export async function checkCode(code: string, limits: Config['actions']): Promise<CheckResult> {
  const kv = createMemoryKv();
  const runtime = createActionsRuntime({ workers: 1, kv, memoryMb: limits.memoryMb, cpuMs: limits.cpuMs });
  try {
    return await runtime.check(code);
  } finally {
    await runtime.close();
    await kv.close();
  }
}
