import { ACTION_LIMITS } from '@tessera/core';
import { parse } from 'acorn';

/** Modules an action may `require` (issue "Globals"); `node:` prefixed forms are accepted too. */
export const ALLOWED_MODULES = ['crypto', 'url', 'querystring', 'util'] as const;
/** Auth0's limit on one action's code (docs/actions.md#limits). */
export const MAX_CODE_BYTES = ACTION_LIMITS.codeBytes;

export interface CodeProblem {
  message: string;
  line?: number;
  column?: number;
}

type Node = {
  type: string;
  start: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
};

const isAllowed = (name: string) =>
  (ALLOWED_MODULES as readonly string[]).includes(name.replace(/^node:/, ''));
const at = (node: Node) => (node.loc ? { line: node.loc.start.line, column: node.loc.start.column + 1 } : {});

/**
 * What can be known about an action without running it: size, syntax (ES2023+, CommonJS script, so
 * `import`/`export` statements are errors) and every `require('<literal>')` outside the allowed set.
 * Positions are 1-based line and column in the tenant's own code.
 */
export function checkCodeStatically(code: string): CodeProblem[] {
  if (typeof code !== 'string') return [{ message: 'code must be a string' }];
  if (Buffer.byteLength(code, 'utf8') > MAX_CODE_BYTES) {
    return [
      {
        message: `code is ${Buffer.byteLength(code, 'utf8')} bytes; an action may not exceed ${MAX_CODE_BYTES} bytes`,
      },
    ];
  }
  let program: Node;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowReturnOutsideFunction: true,
      allowHashBang: true,
      locations: true,
    }) as unknown as Node;
  } catch (error) {
    const e = error as SyntaxError & { loc?: { line: number; column: number } };
    const bare = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    const message = /may appear only with 'sourceType: module'/.test(bare)
      ? 'SyntaxError: import/export statements are not supported; actions are CommonJS modules (use require() and exports.onExecutePostLogin)'
      : `SyntaxError: ${bare}`;
    return [{ message, ...(e.loc ? { line: e.loc.line, column: e.loc.column + 1 } : {}) }];
  }
  const problems: CodeProblem[] = [];
  walk(program, (node) => {
    if (node.type === 'ImportExpression') {
      problems.push({ message: 'import() is not available in actions; use require()', ...at(node) });
    }
    if (node.type === 'CallExpression') {
      const callee = node.callee as Node;
      const [first] = node.arguments as Node[];
      if (
        callee.type === 'Identifier' &&
        callee.name === 'require' &&
        first?.type === 'Literal' &&
        typeof first.value === 'string'
      ) {
        if (!isAllowed(first.value)) {
          problems.push({
            message: `module "${first.value}" is not available in Tessera actions (allowed: ${ALLOWED_MODULES.join(', ')})`,
            ...at(first),
          });
        }
      }
    }
  });
  return problems;
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value)
        if (item !== null && typeof item === 'object' && typeof item.type === 'string') walk(item, visit);
    } else if (value !== null && typeof value === 'object' && typeof (value as Node).type === 'string') {
      walk(value as Node, visit);
    }
  }
}
