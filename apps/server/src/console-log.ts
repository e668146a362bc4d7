import { format, stripVTControlCharacters } from 'node:util';
import type { Logger } from 'pino';

type Method = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const LEVEL: Record<Method, 'info' | 'warn' | 'error' | 'debug' | 'trace'> = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'trace',
};

/** oidc-provider's notices (lib/helpers/attention.js): `oidc-provider NOTICE: …` / `WARNING: …`. */
const OIDC_PROVIDER = /^oidc-provider (?:NOTICE|WARNING): ([\s\S]*)$/;

/**
 * docs/operations.md#how-the-server-behaves (Logs): every line the process writes is pino JSON, so
 * a log shipper never meets a bare line. Libraries that print with `console` (oidc-provider's
 * configuration notices) and Node's process warnings go through the server's logger instead, at the
 * matching level, tagged with where they came from. Only the process (main.ts) installs this: an
 * embedding or a test keeps its console. Returns the function that puts everything back.
 */
export function routeConsoleToLog(log: Logger): () => void {
  const saved = new Map<Method, (typeof console)[Method]>();
  for (const method of Object.keys(LEVEL) as Method[]) {
    saved.set(method, console[method]);
    console[method] = (...args: unknown[]) => {
      // A terminal gets oidc-provider's notices in colour: the escapes are not part of the message.
      const text = stripVTControlCharacters(format(...args));
      const notice = OIDC_PROVIDER.exec(text);
      if (notice) log[LEVEL[method]]({ component: 'oidc-provider' }, notice[1]!);
      else log[LEVEL[method]]({ component: 'console' }, text);
    };
  }
  // Node prints process warnings (deprecations, experimental features) to stderr through its own
  // listener; it is replaced by one that logs them.
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (warning: Error) =>
    log.warn(
      { component: 'process', warning: warning.name, code: (warning as { code?: string }).code },
      warning.message,
    );
  process.on('warning', onWarning);
  return () => {
    for (const [method, original] of saved) console[method] = original as never;
    process.off('warning', onWarning);
    for (const printer of printers) process.on('warning', printer);
  };
}
