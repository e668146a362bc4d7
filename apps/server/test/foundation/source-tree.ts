import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The repository's own source files (what runs in production or as a tool), read from the checkout:
 * `src/` and `bin/` of every workspace package and `bench/src`. Tests, fixtures and generated code
 * (the Prisma client) are not source.
 */

export const root = join(import.meta.dirname, '../../../..');
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'generated', 'test', 'tests', 'fixtures', 'dist']);
const SOURCE_EXTENSIONS = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...walk(path));
    } else if (entry.isFile() && SOURCE_EXTENSIONS.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}

/** Workspace package folders (`packages/storage`, `apps/server`, `bench`). */
export function workspaces(): string[] {
  const folders = ['packages', 'apps'].flatMap((parent) =>
    readdirSync(join(root, parent)).map((name) => join(root, parent, name)),
  );
  return [...folders, join(root, 'bench')].filter((dir) => existsSync(join(dir, 'package.json')));
}

/** Absolute paths of every source file, sorted. */
export function sourceFiles(): string[] {
  return workspaces()
    .flatMap((dir) => [...walk(join(dir, 'src')), ...walk(join(dir, 'bin'))])
    .sort();
}

export const relativePath = (path: string) => relative(root, path);

/** `@tessera/storage` → its entry file (the `"."` export), from each workspace's package.json. */
function packageEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const dir of workspaces()) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      main?: string;
      exports?: Record<string, string>;
    };
    const entry = manifest.exports?.['.'] ?? manifest.main;
    if (entry) entries.set(manifest.name, resolve(dir, entry));
  }
  return entries;
}

/**
 * Every module specifier a file imports or re-exports statically, type-only ones included (a
 * type-only import still ties two files together: neither reads alone). Comments are stripped first
 * so an example in a doc comment is no import.
 */
const IMPORT = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g;

function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  return [...code.matchAll(IMPORT)].map((match) => match[1] as string);
}

/** The import graph over source files: file → the source files it imports (relative and workspace). */
export function importGraph(files = sourceFiles()): Map<string, string[]> {
  const known = new Set(files);
  const entries = packageEntries();
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      const target = specifier.startsWith('.')
        ? resolve(dirname(file), specifier)
        : entries.get(specifier.split('/').slice(0, 2).join('/'));
      if (target && known.has(target) && statSync(target).isFile()) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * Every import cycle as one representative loop per strongly connected component (Tarjan), each
 * printed `a.ts -> b.ts -> a.ts`.
 */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const connect = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = graph.get(node)?.includes(node) ?? false;
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.map((component) => loopThrough(graph, new Set(component)));
}

/** A shortest loop from the component's first file (by name) back to itself, inside the component. */
function loopThrough(graph: Map<string, string[]>, members: Set<string>): string[] {
  const start = [...members].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const loop = [start];
        for (let at: string | undefined = node; at !== start && at; at = previous.get(at))
          loop.splice(1, 0, at);
        return [...loop, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
