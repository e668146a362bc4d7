import type { LogEntry, LogLevel } from '../result.ts';

/**
 * Console output of one run, bounded: Auth0 keeps 256 characters per action; Tessera keeps far more
 * but never unbounded (docs/security.md#8: 100 MB of console.log must not reach memory or the database).
 */
export const LOG_LIMITS = {
  entryChars: 8 * 1024,
  totalChars: 256 * 1024,
  entries: 1000,
  /** Runtime notes (`warn`): a script that swallows a limit error in a loop must not add one per call. */
  notes: 100,
} as const;

export class LogSink {
  readonly entries: LogEntry[] = [];
  #chars = 0;
  #dropped = 0;
  #notes = 0;
  #closed = false;

  /** Adds a line; false once the budget is spent (the sandbox then stops formatting output). */
  add(action: string, level: LogLevel, message: string): boolean {
    if (this.#closed) {
      this.#dropped += message.length;
      return false;
    }
    let text = message;
    if (text.length > LOG_LIMITS.entryChars) {
      text = `${text.slice(0, LOG_LIMITS.entryChars)}… [truncated ${text.length - LOG_LIMITS.entryChars} characters]`;
    }
    if (this.entries.length >= LOG_LIMITS.entries - 1 || this.#chars + text.length > LOG_LIMITS.totalChars) {
      this.#closed = true;
      this.#dropped += message.length;
      this.entries.push({
        action,
        level: 'warn',
        message: '[log output truncated: later console output was dropped]',
        at: Date.now(),
      });
      return false;
    }
    this.#chars += text.length;
    this.entries.push({ action, level, message: text, at: Date.now() });
    return true;
  }

  /** A runtime note (restricted claim ignored, limit reached…), kept even when console output is full. */
  warn(action: string, message: string): void {
    this.#notes += 1;
    if (this.#notes > LOG_LIMITS.notes) return;
    const text = this.#notes === LOG_LIMITS.notes ? 'later runtime notes were dropped' : message;
    this.entries.push({ action, level: 'warn', message: `[tessera] ${text}`, at: Date.now() });
  }

  get droppedChars(): number {
    return this.#dropped;
  }
}
