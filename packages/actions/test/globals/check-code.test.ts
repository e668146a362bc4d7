import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRuntime } from '../runtime/helpers.ts';

const fixture = useRuntime({ workers: 1 });

const check = (code: string) => fixture.runtime.check(code);
const notAvailable = (name: string) =>
  `module "${name}" is not available in Tessera actions (allowed: crypto, url, querystring, util)`;

describe('runtime.check (deploy time)', () => {
  test('accepts a valid module and reports whether it has onContinuePostLogin', async () => {
    assert.deepEqual(
      await check(
        `const crypto = require('node:crypto');\nexports.onExecutePostLogin = async (event, api) => {};`,
      ),
      { ok: true, handlers: { onExecutePostLogin: true, onContinuePostLogin: false } },
    );
    assert.deepEqual(
      await check(
        `exports.onExecutePostLogin = async (event, api) => {};\nexports.onContinuePostLogin = async (event, api) => {};`,
      ),
      { ok: true, handlers: { onExecutePostLogin: true, onContinuePostLogin: true } },
    );
  });

  test('refuses require of a module the sandbox lacks, naming it with its line and column', async () => {
    assert.deepEqual(
      await check(
        `const axios = require('axios');\nconst fs = require("fs");\nexports.onExecutePostLogin = async () => {};`,
      ),
      {
        ok: false,
        kind: 'syntax',
        problems: [
          { message: notAvailable('axios'), line: 1, column: 23 },
          { message: notAvailable('fs'), line: 2, column: 20 },
        ],
      },
    );
  });

  test('refuses import statements and import()', async () => {
    assert.deepEqual(await check(`import x from 'y';\nexports.onExecutePostLogin = async () => {};`), {
      ok: false,
      kind: 'syntax',
      problems: [
        {
          message:
            'SyntaxError: import/export statements are not supported; actions are CommonJS modules (use require() and exports.onExecutePostLogin)',
          line: 1,
          column: 1,
        },
      ],
    });
    assert.deepEqual(
      await check(`exports.onExecutePostLogin = async () => {\n  const fs = await import('fs');\n};`),
      {
        ok: false,
        kind: 'syntax',
        problems: [{ message: 'import() is not available in actions; use require()', line: 2, column: 20 }],
      },
    );
  });

  test('reports a syntax error with its line and column', async () => {
    assert.deepEqual(await check(`exports.onExecutePostLogin = async () => {\n  let x = ;\n};`), {
      ok: false,
      kind: 'syntax',
      problems: [{ message: 'SyntaxError: Unexpected token', line: 2, column: 11 }],
    });
  });

  test('refuses code without onExecutePostLogin', async () => {
    const missing = {
      ok: false,
      kind: 'syntax',
      problems: [
        {
          message:
            'the action must export onExecutePostLogin (exports.onExecutePostLogin = async (event, api) => {})',
        },
      ],
    };
    assert.deepEqual(await check(`exports.onContinuePostLogin = async () => {};`), missing);
    assert.deepEqual(await check(`exports.onExecutePostLogin = 'not a function';`), missing);
  });

  test('refuses code over 100 KB', async () => {
    const code = `exports.onExecutePostLogin = async () => {};\n//${'x'.repeat(100 * 1024)}`;
    assert.deepEqual(await check(code), {
      ok: false,
      kind: 'syntax',
      problems: [
        { message: `code is ${Buffer.byteLength(code)} bytes; an action may not exceed 102400 bytes` },
      ],
    });
  });

  test('refuses a module whose top level throws, with the position', async () => {
    assert.deepEqual(
      await check(`\nthrow new Error('boom');\nexports.onExecutePostLogin = async () => {};`),
      {
        ok: false,
        kind: 'runtime',
        problems: [{ message: 'the module threw while loading: Error: boom', line: 2, column: 7 }],
      },
    );
  });
});
