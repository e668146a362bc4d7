import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importCycles, importGraph, relativePath, sourceFiles } from './source-tree.ts';

/**
 * No two source files import each other, directly or around a loop, type-only imports and imports
 * through a workspace package (`@tessera/storage` is its src/index.ts) included. A cycle makes the
 * files in it readable only together, and at run time leaves one of them half-initialised while
 * the other runs. Shared types go to a leaf file both import (storage's repositories/user-model.ts).
 */

describe('import cycles', () => {
  it('finds a loop, a self-import and none in a tree', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    assert.deepEqual(importCycles(graph), [
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['e.ts', 'e.ts'],
    ]);
    assert.deepEqual(
      importCycles(
        new Map([
          ['a.ts', ['b.ts', 'c.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', []],
        ]),
      ),
      [],
    );
  });

  it('reads the whole source tree, workspace-package imports included', () => {
    const graph = importGraph();
    const files = sourceFiles().map(relativePath);
    for (const expected of ['apps/server/src/main.ts', 'packages/storage/src/index.ts', 'bench/src/run.ts'])
      assert.ok(files.includes(expected), `${expected} is read`);
    const bootImports = [...graph.entries()]
      .find(([file]) => relativePath(file) === 'apps/server/src/boot/first-run.ts')?.[1]
      .map(relativePath);
    assert.ok(
      bootImports?.includes('packages/storage/src/index.ts'),
      '@tessera/storage resolves to its entry',
    );
  });

  it('has no cycle among source files', () => {
    const cycles = importCycles(importGraph()).map((loop) => loop.map(relativePath).join(' -> '));
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
  });
});
