import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handler, useRuntime } from '../runtime/helpers.ts';
import { HOSTILE_BUDGETS, lastJson } from './helpers.ts';

// docs/security.md#5 and docs/architecture.md#known-traps: the classic ways out of a JavaScript sandbox
// (Node globals, require/import, constructor chains to the host's Function, stack-trace frames, callers)
// lead only to the isolate's own realm. Each attempt's outcome is printed by the script itself.
const fixture = useRuntime(HOSTILE_BUDGETS);

/** Tenant code: runs `fn` and describes what it got (`typeof` or the error thrown), async or not. */
const ATTEMPT = `
const seen = {};
async function attempt(name, fn) {
  try {
    const value = await fn();
    seen[name] = value === null ? 'null' : typeof value === 'object' || typeof value === 'function' ? typeof value : String(value);
  } catch (error) {
    seen[name] = 'threw ' + (error && error.name) + ': ' + (error && error.message);
  }
}`;

const NOT_FOUND = (name: string) =>
  `threw Error: Cannot find module '${name}': Tessera actions can require only crypto, url, querystring and util`;

describe('escape attempts', () => {
  test('Node globals, modules and dynamic import are not there', async () => {
    const result = await fixture.run(
      handler(`${ATTEMPT}
        await attempt('typeof process', () => typeof process);
        await attempt('globalThis.process', () => globalThis.process);
        await attempt('require fs', () => require('fs'));
        await attempt('require node:fs', () => require('node:fs'));
        await attempt('require child_process', () => require('child_process'));
        await attempt('require module', () => require('module'));
        await attempt('import fs', () => import('fs'));
        await attempt('import child_process via Function', () => Function('return import("child_process")')());
        await attempt('typeof Deno / Bun / ivm / _ivm', () => [typeof Deno, typeof Bun, typeof ivm, typeof _ivm].join());
        await attempt('host internals by name', () => [typeof host, typeof std, typeof stdlib, typeof buildApi].join());
        console.log(JSON.stringify(seen));`),
    );
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(lastJson(result), {
      'typeof process': 'undefined',
      'globalThis.process': 'undefined',
      'require fs': NOT_FOUND('fs'),
      'require node:fs': NOT_FOUND('node:fs'),
      'require child_process': NOT_FOUND('child_process'),
      'require module': NOT_FOUND('module'),
      'import fs': 'threw Error: Not supported',
      'import child_process via Function': 'threw Error: Not supported',
      'typeof Deno / Bun / ivm / _ivm': 'undefined,undefined,undefined,undefined',
      'host internals by name': 'undefined,undefined,undefined,undefined',
    });
  });

  test("constructor chains reach only the isolate's own Function, whose global has no process", async () => {
    const result = await fixture.run(`
      ${ATTEMPT}
      const moduleThis = this;
      exports.onExecutePostLogin = async (event, api) => {
        await attempt('globalThis.constructor.constructor', () => globalThis.constructor.constructor('return process')());
        await attempt('this.constructor.constructor', () => moduleThis.constructor.constructor('return typeof process')());
        await attempt('Function("return this")()', () => Function('return this')() === globalThis);
        await attempt('Function("return this.process")()', () => Function('return this.process')());
        await attempt('api stub constructor', () => api.user.setAppMetadata.constructor('return typeof process')());
        await attempt('event constructor', () => event.constructor.constructor('return typeof process')());
        await attempt('console.log constructor', () => console.log.constructor('return this')() === globalThis);
        await attempt('async function constructor', () => (async () => {}).constructor('return typeof process')());
        await attempt('host error constructor', () => {
          try {
            require('crypto').createHash('no-such-hash').update('x').digest();
          } catch (error) {
            if (Object.getPrototypeOf(error) !== Error.prototype) return 'foreign error';
            return error.constructor.constructor('return process')();
          }
        });
        await attempt('indirect eval', () => (0, eval)('typeof process'));
        console.log(JSON.stringify(seen));
      };`);
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(lastJson(result), {
      'globalThis.constructor.constructor': 'threw ReferenceError: process is not defined',
      'this.constructor.constructor': 'undefined',
      'Function("return this")()': 'true',
      'Function("return this.process")()': 'undefined',
      'api stub constructor': 'undefined',
      'event constructor': 'undefined',
      'console.log constructor': 'true',
      'async function constructor': 'undefined',
      'host error constructor': 'threw ReferenceError: process is not defined',
      'indirect eval': 'undefined',
    });
  });

  test('callers and stack frames never expose the sandbox internals or the host', async () => {
    const result = await fixture.run(`
      // Called from the module wrapper (the tenant's own sloppy code), whose caller is the sandbox.
      function moduleCaller() { return moduleCaller.caller.caller; }
      const atTopLevel = moduleCaller();
      exports.onExecutePostLogin = function (event, api) {
        const frames = [];
        Error.prepareStackTrace = (error, callSites) => {
          for (const site of callSites) {
            frames.push([String(site.getFileName()), typeof site.getFunction(), typeof site.getThis()]);
          }
          return 'formatted';
        };
        try { api.user.setAppMetadata('__proto__', 1); } catch (error) { void error.stack; }
        Error.prepareStackTrace = undefined;
        let hostStack = '';
        try { require('crypto').createHmac('no-such-hash', 'k').update('x').digest(); } catch (error) { hostStack = error.stack; }
        console.log(JSON.stringify({
          handlerCaller: arguments.callee.caller,
          handlerDotCaller: exports.onExecutePostLogin.caller,
          moduleCaller: atTopLevel,
          frames,
          hostStack,
        }));
      };`);
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    const seen = lastJson<{
      handlerCaller: unknown;
      handlerDotCaller: unknown;
      moduleCaller: unknown;
      frames: Array<[string, string, string]>;
      hostStack: string;
    }>(result);
    // The sandbox code is strict: a sloppy tenant function called from it sees `caller === null`.
    assert.equal(seen.handlerCaller, null);
    assert.equal(seen.handlerDotCaller, null);
    assert.equal(seen.moduleCaller, null);
    // Frames are the tenant's (action.js), the sandbox's (tessera:sandbox) or a built-in's (no file):
    // nothing of the host. Those that are not the tenant's give neither their function nor their receiver.
    assert.ok(
      seen.frames.every(([file]) => ['action.js', 'tessera:sandbox', 'null'].includes(file)),
      JSON.stringify(seen.frames),
    );
    const internal = seen.frames.filter(([file]) => file !== 'action.js');
    assert.ok(
      internal.filter(([file]) => file === 'tessera:sandbox').length >= 2,
      JSON.stringify(seen.frames),
    );
    assert.deepEqual(
      internal.map(([, fn, self]) => [fn, self]),
      internal.map(() => ['undefined', 'undefined']),
    );
    // An error thrown by a host callback arrives with its type and message, not the server's stack.
    assert.match(seen.hostStack, /^Error: Invalid digest: no-such-hash\n/);
    assert.doesNotMatch(seen.hostStack, /file:|\/work\/|node:|host-bridge|\.ts:/);
  });

  test('nothing a script does reaches the host process', async () => {
    const result = await fixture.run(
      handler(`
        for (const reach of [
          () => Function('return this')(),
          () => globalThis.constructor.constructor('return globalThis')(),
          () => require('crypto').createHash.constructor('return this')(),
        ]) {
          const target = reach();
          target.TESSERA_ESCAPED = 'yes';
          try { target.process.env.TESSERA_ESCAPED = 'yes'; } catch {}
        }
        Object.prototype.TESSERA_ESCAPED = 'yes';`),
    );
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.equal((globalThis as Record<string, unknown>).TESSERA_ESCAPED, undefined);
    assert.equal(process.env.TESSERA_ESCAPED, undefined);
    assert.equal(({} as Record<string, unknown>).TESSERA_ESCAPED, undefined);
  });
});
