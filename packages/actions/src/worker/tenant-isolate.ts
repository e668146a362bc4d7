import ivm from 'isolated-vm';
import type { FailureKind } from '../result.ts';
import { SANDBOX_SOURCE, wrapModule } from '../sandbox/source.ts';

/** Compiled action scripts kept per isolate (LRU by insertion order refresh). */
const SCRIPT_CACHE_SIZE = 256;

/**
 * One tenant's isolate inside a worker: its own heap with a hard memory limit, the sandbox script
 * compiled once, and each deployed action version compiled once. Contexts are created per execution
 * (see run-action.ts), so nothing a script leaves on its globals survives into the next run.
 */
/** A context opened by TenantIsolate#open. */
export interface SandboxContext {
  /** The prelude's entry point: `run`, `inspect` and `settle`. */
  entry: ivm.Reference;
  /** Evaluates a compiled action module here (its top level is tenant code): its module function. */
  load(script: ivm.Script, timeout: number): Promise<ivm.Reference>;
  /** Releases the context and every handle on it. */
  release(): void;
}

/** Executions one tenant may have in flight in one worker's isolate; later ones wait (within their budget). */
export const MAX_CONCURRENT_EXECUTIONS = 16;
/** Heap each in-flight execution is given room for: its context plus what V8 has not yet reclaimed. */
const MB_PER_EXECUTION = 8;
/** Slots for an isolate of `memoryMb`: 8 at the default 64 MB, fewer in a smaller heap. */
export const slotsFor = (memoryMb: number) =>
  Math.max(2, Math.min(MAX_CONCURRENT_EXECUTIONS, Math.floor(memoryMb / MB_PER_EXECUTION)));
const IDLE_CHECK_MS = 100;
/** CPU an isolate may use within one idle check with no execution in it (settling promises, GC). */
const IDLE_CPU_LIMIT_NS = 50_000_000n;

export class TenantIsolate {
  readonly isolate: ivm.Isolate;
  readonly sandbox: ivm.Script;
  readonly #scripts = new Map<string, ivm.Script>();
  /** Executions currently using this isolate (the pool never disposes an isolate that is busy). */
  active = 0;
  lastUsed = Date.now();
  #slots: number;
  readonly #queue: Array<() => void> = [];

  /**
   * Waits for one of the isolate's execution slots; false when `deadline` passes first. An isolate runs
   * one thing at a time anyway; more executions in flight only overlap their waits, while each holds
   * a context V8 frees lazily, and enough of them in one heap exceed its memory limit.
   */
  async enter(deadline: number): Promise<boolean> {
    if (this.#slots > 0) {
      this.#slots--;
      return true;
    }
    let admit: () => void = () => {};
    const admitted = new Promise<boolean>((resolve) => {
      admit = () => resolve(true);
      this.#queue.push(admit);
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    const entered = await Promise.race([admitted, expired]);
    clearTimeout(timer);
    if (!entered) {
      const index = this.#queue.indexOf(admit);
      if (index !== -1) this.#queue.splice(index, 1);
      else this.leave(); // admitted at the same moment the deadline passed: hand the slot on
    }
    return entered;
  }

  leave(): void {
    const next = this.#queue.shift();
    if (next !== undefined) next();
    else this.#slots++;
  }

  /**
   * `onCatastrophe`: V8 ran out of memory in this isolate faster than its limit could act (one huge
   * allocation). Its thread is parked for good and the process must end (isolated-vm's README).
   */
  constructor(memoryMb: number, onCatastrophe?: (message: string) => void) {
    this.#slots = slotsFor(memoryMb);
    this.isolate = new ivm.Isolate({
      memoryLimit: memoryMb,
      ...(onCatastrophe === undefined ? {} : { onCatastrophicError: onCatastrophe }),
    });
    this.sandbox = this.isolate.compileScriptSync(SANDBOX_SOURCE, { filename: 'tessera:sandbox' });
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  /**
   * A fresh context with the sandbox installed (its globals, api builder and entry point), given the
   * execution's host callbacks. Asynchronous calls only: a synchronous one would wait for the isolate's
   * lock on the worker's main thread, and code left running by an earlier execution would freeze it.
   */
  async open(callbacks: ivm.Callback[], timeout: number): Promise<SandboxContext> {
    const context = await this.isolate.createContext();
    // Host-side handles keep their isolate objects (and so the whole context) alive until the host's own
    // GC collects them, which a busy worker may not do for a long time: each is released explicitly.
    const handles: ivm.Reference[] = [];
    const release = () => {
      if (this.disposed) return;
      for (const handle of handles) handle.release();
      context.release();
    };
    try {
      const factory = (await this.sandbox.run(context, { reference: true, timeout })) as ivm.Reference;
      handles.push(factory);
      const entry = (await factory.apply(undefined, callbacks, {
        result: { reference: true },
        timeout,
      })) as ivm.Reference;
      handles.push(entry);
      return {
        entry,
        release,
        async load(script, loadTimeout) {
          const moduleFn = (await script.run(context, {
            reference: true,
            timeout: loadTimeout,
          })) as ivm.Reference;
          handles.push(moduleFn);
          return moduleFn;
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The module function of an action version; compile errors (SyntaxError) are thrown to the caller. */
  async script(versionId: string, code: string): Promise<ivm.Script> {
    const cached = this.#scripts.get(versionId);
    if (cached !== undefined) {
      this.#scripts.delete(versionId);
      this.#scripts.set(versionId, cached);
      return cached;
    }
    const script = await this.isolate.compileScript(wrapModule(code), {
      filename: 'action.js',
      lineOffset: -1,
    });
    this.#scripts.set(versionId, script);
    if (this.#scripts.size > SCRIPT_CACHE_SIZE) {
      const oldest = this.#scripts.keys().next().value;
      if (oldest !== undefined) {
        this.#scripts.get(oldest)?.release();
        this.#scripts.delete(oldest);
      }
    }
    return script;
  }

  /** Why the isolate was disposed by the watchdog (other executions running in it fail with this). */
  lostReason: { kind: FailureKind; message: string } | undefined;
  /** Runs that hold this isolate (compiling, waiting for a slot or executing): never evicted meanwhile. */
  users = 0;
  /** Isolate CPU time at the last idle check (see TenantIsolates#watchIdle). */
  idleCpuMark = 0n;

  dispose(reason?: { kind: FailureKind; message: string }): void {
    if (reason !== undefined && this.lostReason === undefined) this.lostReason = reason;
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}

/** The isolates of one worker, one per tenant, the least recently used idle ones dropped past `max`. */
export class TenantIsolates {
  readonly #isolates = new Map<string, TenantIsolate>();
  readonly #memoryMb: number;
  readonly #max: number;
  readonly #onCatastrophe: ((tenantId: string, message: string) => void) | undefined;

  constructor(
    memoryMb: number,
    options: { max?: number; onCatastrophe?: (tenantId: string, message: string) => void } = {},
  ) {
    this.#memoryMb = memoryMb;
    this.#max = options.max ?? 200;
    this.#onCatastrophe = options.onCatastrophe;
    setInterval(() => this.#watchIdle(), IDLE_CHECK_MS).unref();
  }

  /**
   * Per-execution watchdogs stop when a handler settles, but code the tenant left running (an unawaited
   * `for (;;) await null`, a timer's callback queued just before) keeps the isolate busy with no
   * execution to charge. An isolate that burns CPU while nothing runs in it is reset.
   */
  #watchIdle(): void {
    for (const isolate of this.#isolates.values()) {
      if (isolate.disposed) continue;
      const cpu = isolate.isolate.cpuTime;
      if (isolate.active === 0 && cpu - isolate.idleCpuMark > IDLE_CPU_LIMIT_NS) {
        isolate.dispose({
          kind: 'timeout',
          message: 'code the action left running after it finished was stopped',
        });
      }
      isolate.idleCpuMark = cpu;
    }
  }

  get(tenantId: string): TenantIsolate {
    let entry = this.#isolates.get(tenantId);
    if (entry === undefined || entry.disposed) {
      entry = new TenantIsolate(this.#memoryMb, (message) => this.#onCatastrophe?.(tenantId, message));
      this.#isolates.set(tenantId, entry);
      this.#evict();
    }
    entry.lastUsed = Date.now();
    return entry;
  }

  /** Drops a tenant's isolate (after a timeout or memory failure it is disposed and rebuilt on next use). */
  drop(tenantId: string, isolate: TenantIsolate): void {
    isolate.dispose();
    if (this.#isolates.get(tenantId) === isolate) this.#isolates.delete(tenantId);
  }

  get size(): number {
    return this.#isolates.size;
  }

  #evict(): void {
    if (this.#isolates.size <= this.#max) return;
    const idle = [...this.#isolates.entries()]
      .filter(([, i]) => i.users === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [tenantId, isolate] of idle.slice(0, this.#isolates.size - this.#max))
      this.drop(tenantId, isolate);
  }
}
