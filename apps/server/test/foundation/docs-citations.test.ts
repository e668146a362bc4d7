import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The repository stands alone: code, tests and documents cite only what is in it, and every citation
 * of `docs/<page>.md#<anchor>` (or a link between docs pages) names a page and an anchor that exist.
 */

const root = join(import.meta.dirname, '../../../..');
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'data', 'dist', '.turbo', 'generated']);
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Every text file of the checkout (what a clone holds, plus new files not yet committed). */
function textFiles(dir = root): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...textFiles(path));
    } else if (entry.isFile() && statSync(path).size <= MAX_FILE_BYTES) {
      const bytes = readFileSync(path);
      if (!bytes.includes(0)) files.push(path);
    }
  }
  return files;
}

/** The team's working notes, which live outside the repository (built from parts so this file does not cite them). */
const OUTSIDE_NOTES = new RegExp(
  `\\b(?:${['SECURITY', 'DESIGN', 'AUTH0-SEMANTICS', 'BENCHMARKS', 'STYLE'].join('|')})\\.md\\b|post-login-api\\.txt|\\.\\./${'shared'}\\b`,
);

/** `docs/security.md#20`, `docs/security.md#22, #37`, `docs/actions.md`. */
const DOCS_CITATION = /\bdocs\/([\w-]+\.md)((?:#[\w-]+)(?:,\s*#[\w-]+)*)?/g;
/** A link from one docs page to another: `](security.md#37)`, `](benchmarks.md)`. */
const DOCS_LINK = /\]\(([\w-]+\.md)(#[\w-]+)?\)/g;

/** The word README, an optional colon, then a section's heading in double quotes. */
const README_SECTION = /\bREADME:?\s+"([^"]+)"/g;

const githubSlug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = new Map<string, Set<string> | null>();
/** The anchors of a docs page (explicit `<a id>` and heading slugs), or null when the page does not exist. */
function anchors(page: string): Set<string> | null {
  if (!anchorsOf.has(page)) {
    const path = join(root, 'docs', page);
    if (!existsSync(path)) anchorsOf.set(page, null);
    else {
      const text = readFileSync(path, 'utf8');
      const ids = new Set<string>();
      for (const match of text.matchAll(/<a id="([^"]+)"><\/a>/g)) ids.add(match[1]!);
      for (const match of text.matchAll(/^#{1,6}\s+(.+)$/gm)) ids.add(githubSlug(match[1]!));
      anchorsOf.set(page, ids);
    }
  }
  return anchorsOf.get(page)!;
}

interface Citation {
  file: string;
  line: number;
  page: string;
  anchors: string[];
}

function citations(files: string[]): Citation[] {
  const found: Citation[] = [];
  for (const path of files) {
    const file = relative(root, path);
    const lines = readFileSync(path, 'utf8').split('\n');
    const inDocs = file.startsWith('docs/');
    lines.forEach((text, index) => {
      const add = (page: string, fragments: string | undefined) =>
        found.push({
          file,
          line: index + 1,
          page,
          anchors: fragments?.match(/#[\w-]+/g)?.map((a) => a.slice(1)) ?? [],
        });
      for (const match of text.matchAll(DOCS_CITATION)) add(match[1]!, match[2]);
      if (inDocs) for (const match of text.matchAll(DOCS_LINK)) add(match[1]!, match[2]);
    });
  }
  return found;
}

describe('the repository stands alone', () => {
  const files = textFiles();

  it('cites no document that is not in it', () => {
    const outside = files.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((text, index) =>
          OUTSIDE_NOTES.test(text) ? [`${relative(root, path)}:${index + 1}: ${text.trim()}`] : [],
        ),
    );
    assert.deepEqual(outside, [], 'cite docs/ (e.g. docs/security.md#20) instead');
  });

  it('cites only docs pages and anchors that exist', () => {
    const all = citations(files);
    assert.ok(all.length > 100, `the scan found the code's citations (${all.length})`);
    const broken = all.flatMap(({ file, line, page, anchors: wanted }) => {
      const known = anchors(page);
      if (known === null) return [`${file}:${line}: docs/${page} does not exist`];
      return wanted
        .filter((anchor) => !known.has(anchor))
        .map((anchor) => `${file}:${line}: docs/${page}#${anchor}`);
    });
    assert.deepEqual(broken, []);
  });

  it('cites only README sections that exist', () => {
    const headings = new Set(
      [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
        m[1]!.trim(),
      ),
    );
    const broken = files.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((text, index) =>
          [...text.matchAll(README_SECTION)]
            .filter((match) => !headings.has(match[1]!))
            .map((match) => `${relative(root, path)}:${index + 1}: README ${JSON.stringify(match[1])}`),
        ),
    );
    assert.deepEqual(broken, [], 'the README is a front page: cite the docs/ page that holds the section');
  });

  it('keeps the README a front page of at most 250 lines that links into every docs page', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const lines = readme.trimEnd().split('\n').length;
    assert.ok(lines <= 250, `README.md has ${lines} lines`);
    for (const page of readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')))
      assert.ok(readme.includes(`(docs/${page}`), `the README links docs/${page}`);
  });

  it('finds a missing anchor or page (the check itself)', () => {
    assert.equal(anchors('security.md')?.has('20'), true);
    assert.equal(anchors('security.md')?.has('9999'), false);
    assert.equal(anchors('no-such-page.md'), null);
    assert.equal(anchors('architecture.md')?.has('known-traps'), true);
    assert.equal(anchors('benchmarks.md')?.has('scenarios-and-targets'), true, 'heading slugs count');
    assert.match(['see SECURITY', 'md 3'].join('.'), OUTSIDE_NOTES);
    assert.doesNotMatch('see docs/security.md#3', OUTSIDE_NOTES);
    assert.deepEqual(
      [...['(README', '"Lists") and README:', '"Tenants"'].join(' ').matchAll(README_SECTION)].map(
        (m) => m[1],
      ),
      ['Lists', 'Tenants'],
    );
  });
});
