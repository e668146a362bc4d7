import { quote, utf8Bytes } from './checks.ts';
import { decodeArgs } from './decode-args.ts';
import { DEFAULT_LIMITS, type RecorderLimits } from './limits.ts';
import { type Command, DENYING, PAUSING } from './types.ts';
import type { RecorderContext, RunState } from './validator.ts';
import { VALIDATORS } from './validators.ts';

export type { RecorderLimits } from './limits.ts';
export type { RecorderContext } from './validator.ts';

export type RecordResult = { ok: true; warning?: string } | { ok: false; message: string; limit?: boolean };

/** What the run starts from, for rules that count across the whole session. */
export interface RecorderInitialState {
  /** Keys already in `event.session.metadata`: they count toward the 25-key maximum. */
  sessionMetadataKeys?: Iterable<string>;
}

/**
 * The host side of every `api.*` call of one trigger run. `record` is called synchronously from the
 * isolate's stub; it trusts nothing the stub sends (the tenant can replace the stub), validates the
 * call with the method's validator and keeps the accepted commands in call order. Errors are values:
 * the stub throws them inside the tenant's code, where Auth0 would throw.
 */
export class CommandRecorder {
  /** Set by the first limit error; every later call fails with it, caught or not (docs/security.md#8). */
  limitExceeded: string | undefined;
  /** An action asked to show the user a page (redirect, form) in a transaction that cannot. */
  interactionRefused = false;
  readonly #limits: RecorderLimits;
  readonly #commands: Command[] = [];
  readonly #state: RunState;
  #started = false;
  /** Index in #commands of the current action's first command. */
  #actionStart = 0;
  #calls = 0;
  #argsBytes = 0;

  constructor(limits?: Partial<RecorderLimits>, initial?: RecorderInitialState) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    this.#state = {
      context: { actionName: '', protocol: '', handler: 'onExecutePostLogin', canRedirect: false },
      limits: this.#limits,
      claims: { accessToken: { bytes: new Map(), total: 0 }, idToken: { bytes: new Map(), total: 0 } },
      sessionMetadataKeys: new Set(initial?.sessionMetadataKeys ?? []),
      primaryUserSet: false,
    };
  }

  /** Every accepted command of the run, in call order. */
  get commands(): readonly Command[] {
    return this.#commands;
  }

  /** A new action (or the continuation of one) starts; commands recorded from now on are its own. */
  begin(context: RecorderContext): void {
    this.#state.context = { ...context };
    this.#actionStart = this.#commands.length;
    this.#started = true;
  }

  record(method: string, argsJson: string, undefinedMask: number): RecordResult {
    if (!this.#started) throw new Error('CommandRecorder.record() called before begin()');
    if (this.limitExceeded !== undefined) return { ok: false, message: this.limitExceeded, limit: true };
    this.#calls += 1;
    if (this.#calls > this.#limits.maxCalls) {
      return this.#limit(`too many api calls: at most ${this.#limits.maxCalls} per execution`);
    }
    const validator = typeof method === 'string' ? VALIDATORS.get(method) : undefined;
    if (validator === undefined) {
      return { ok: false, message: `${quote(String(method))} is not an api method that records a change` };
    }
    const name = `api.${method}`;
    const conflict = this.#pausingConflict(method);
    if (conflict !== undefined) return { ok: false, message: `${name}: ${conflict}` };
    const decoded = decodeArgs(argsJson, undefinedMask, this.#limits);
    if (!decoded.ok) {
      const message = `${name}: ${decoded.message}`;
      return decoded.limit ? this.#limit(message) : { ok: false, message };
    }
    const bytes = utf8Bytes(argsJson);
    if (this.#argsBytes + bytes > this.#limits.maxTotalArgsBytes) {
      return this.#limit(
        `${name}: this execution's api calls would carry more than ${this.#limits.maxTotalArgsBytes} bytes of arguments`,
      );
    }
    const outcome = validator(decoded.args, this.#state);
    if (!outcome.ok) {
      if (outcome.interaction === true) this.interactionRefused = true;
      return outcome.limit === true ? this.#limit(outcome.message) : { ok: false, message: outcome.message };
    }
    if (outcome.command !== undefined) {
      this.#argsBytes += bytes;
      this.#commands.push({ action: this.#state.context.actionName, ...outcome.command });
    }
    return outcome.warning === undefined ? { ok: true } : { ok: true, warning: outcome.warning };
  }

  /**
   * The command that ends the pipeline after the current action, if it recorded one. A denial wins
   * over an earlier redirect or challenge of the same action: the login fails rather than sending the
   * user somewhere first.
   */
  stopping(): Command | undefined {
    const own = this.#commands.slice(this.#actionStart);
    return (
      own.find((command) => DENYING.has(command.type)) ?? own.find((command) => PAUSING.has(command.type))
    );
  }

  /**
   * One interaction per action: Auth0 allows "only one redirection per Action" and a prompt never
   * together with a redirect. Tessera extends this to MFA challenges and enrollments, since the pipeline
   * can wait for only one thing when it resumes this action. A second call is an error, not an override,
   * so a script that would send the user to two places learns of it instead of losing one silently.
   */
  #pausingConflict(method: string): string | undefined {
    if (!PAUSING.has(method)) return undefined;
    const earlier = this.#commands.slice(this.#actionStart).find((command) => PAUSING.has(command.type));
    if (earlier === undefined) return undefined;
    return `this action already called api.${earlier.type}; an action can start only one redirect, prompt, or MFA challenge or enrollment`;
  }

  #limit(message: string): RecordResult {
    this.limitExceeded ??= message;
    return { ok: false, message, limit: true };
  }
}
