/**
 * Host-side work started by one execution (timers, fetches). When the action's handler settles, or its
 * isolate is disposed, everything still pending is cancelled so nothing outlives the execution.
 */
export class PendingOps {
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #fetches = new Map<number, AbortController>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  timer(id: number, ms: number, fire: () => void): void {
    if (this.#closed) return;
    this.#timers.set(
      id,
      setTimeout(() => {
        this.#timers.delete(id);
        fire();
      }, ms),
    );
  }

  /** Fetches started by this execution, and those still in flight. */
  fetchesStarted = 0;
  get fetchesInFlight(): number {
    return this.#fetches.size;
  }

  fetch(id: number): AbortSignal {
    this.fetchesStarted++;
    const controller = new AbortController();
    if (this.#closed) controller.abort();
    else this.#fetches.set(id, controller);
    return controller.signal;
  }

  done(id: number): void {
    this.#fetches.delete(id);
  }

  abort(id: number): void {
    this.#fetches.get(id)?.abort();
    this.#fetches.delete(id);
  }

  cancelAll(): void {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    for (const controller of this.#fetches.values()) controller.abort();
    this.#timers.clear();
    this.#fetches.clear();
  }
}
