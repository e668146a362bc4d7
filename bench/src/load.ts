import { Worker } from 'node:worker_threads';
import type { BlockMessage, BlockPlan, LoadResult, LoadSpec } from './spec.ts';

/** Runs one load in a fresh worker thread and returns what it measured. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: spec });
    let settled = false;
    worker.once('message', (message: { result?: LoadResult; error?: string }) => {
      settled = true;
      if (message.result) resolve(message.result);
      else reject(new Error(`load generator: ${message.error}`));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code}`));
    });
  });
}

/**
 * Runs a load with a block plan (spec.blocks) in a fresh worker thread: before each block the worker
 * asks for `prepare(variant)`, which switches the server to that variant; answers each variant's figures
 * over its measured blocks.
 */
export function runBlocks(
  spec: LoadSpec & { blocks: BlockPlan },
  prepare: (block: { variant: string; measured: boolean }) => Promise<void>,
): Promise<Record<string, LoadResult>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: spec });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      void worker.terminate();
    };
    worker.on('message', (message: BlockMessage) => {
      if ('prepare' in message)
        prepare(message.prepare).then(
          () => worker.postMessage({ ready: true }),
          (error: Error) => {
            worker.postMessage({ abort: `preparing ${message.prepare.variant}: ${error.message}` });
          },
        );
      else if ('result' in message) settle(() => resolve(message.result));
      else settle(() => reject(new Error(`load generator: ${message.error}`)));
    });
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`load generator exited with code ${code}`))));
  });
}
