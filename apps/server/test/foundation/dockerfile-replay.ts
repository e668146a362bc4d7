import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

/**
 * What dockerfile.test.ts needs to replay the Dockerfile without Docker: its instructions by stage,
 * their arguments in the forms the Dockerfile uses, the .dockerignore rules and COPY's copy. Anything
 * else (an unknown instruction or flag, a wildcard source) fails loudly instead of being skipped, so
 * the replay never silently proves less than the Dockerfile does.
 */

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

const KEYWORDS = new Set([
  'ARG',
  'ENV',
  'WORKDIR',
  'COPY',
  'RUN',
  'CMD',
  'HEALTHCHECK',
  'USER',
  'EXPOSE',
  'VOLUME',
]);

/** Stages in order; continuation lines joined, comments (and the `# syntax=` directive) dropped. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  let start = 0;
  for (const [index, raw] of text.split('\n').entries()) {
    if (/^\s*#/.test(raw) || (!pending && !raw.trim())) continue;
    if (!pending) start = index + 1;
    pending += raw.endsWith('\\') ? raw.slice(0, -1) : raw;
    if (raw.endsWith('\\')) continue;
    const [, keyword = '', args = ''] = pending.trim().match(/^(\S+)\s*(.*)$/s) ?? [];
    pending = '';
    if (keyword === 'FROM') {
      const [, from, name] = args.match(/^(\S+)\s+AS\s+(\S+)$/i) ?? [];
      if (!from || !name) throw new Error(`Dockerfile line ${start}: FROM needs "<image> AS <name>"`);
      stages.push({ name, from, instructions: [] });
    } else if (!KEYWORDS.has(keyword)) {
      throw new Error(`Dockerfile line ${start}: the replay does not know the instruction "${keyword}"`);
    } else if (!stages.length) {
      throw new Error(`Dockerfile line ${start}: ${keyword} before the first FROM`);
    } else {
      stages.at(-1)!.instructions.push({ keyword, args: args.trim(), line: start });
    }
  }
  return stages;
}

/** `$NAME` and `${NAME}` from `env` (unset: empty, as Docker does). */
export const expand = (value: string, env: Record<string, string>) =>
  value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced, bare) => env[braced ?? bare] ?? '');

/** `ENV A=1 B="two words"`: every value expanded against the environment before the instruction. */
export function parseEnv(args: string, env: Record<string, string>): [string, string][] {
  const pairs: [string, string][] = [];
  const rest = args.replace(/(\w+)=("(?:[^"\\]|\\.)*"|[^\s"]*)\s*/gy, (_, name, value: string) => {
    pairs.push([name, expand(value.startsWith('"') ? JSON.parse(value) : value, env)]);
    return '';
  });
  if (rest || !pairs.length) throw new Error(`ENV ${args}: the replay reads only NAME=value pairs`);
  return pairs;
}

/** CMD/HEALTHCHECK command: the JSON exec form as is, the shell form through `/bin/sh -c`. */
export function command(args: string): string[] {
  if (!args.startsWith('[')) return ['/bin/sh', '-c', args];
  const argv: unknown = JSON.parse(args);
  if (!Array.isArray(argv) || !argv.every((arg) => typeof arg === 'string') || !argv.length) {
    throw new Error(`${args}: an exec form must be a non-empty JSON array of strings`);
  }
  return argv;
}

/** `HEALTHCHECK [--option=value...] CMD <command>`: the command (NONE is refused). */
export function healthcheck(args: string): string[] {
  const match = args.match(/^((?:--\w[\w-]*=\S+\s+)*)CMD\s+(.+)$/s);
  if (!match) throw new Error(`HEALTHCHECK ${args}: expected [--option=value...] CMD <command>`);
  return command(match[2]!.trim());
}

export interface CopyStep {
  from?: string;
  sources: string[];
  dest: string;
}

/** `COPY [--from=<stage>] <src>... <dest>`; other flags and wildcards are refused. */
export function parseCopy(args: string): CopyStep {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (!flag.startsWith('--from=')) throw new Error(`COPY ${args}: the replay does not know ${flag}`);
    from = flag.slice('--from='.length);
  }
  const dest = words.pop();
  if (!dest || !words.length) throw new Error(`COPY ${args}: needs at least one source and a destination`);
  const wildcard = words.find((source) => /[*?[]/.test(source));
  if (wildcard) throw new Error(`COPY ${args}: the replay does not expand wildcards (${wildcard})`);
  return { from, sources: words, dest };
}

/**
 * `.dockerignore` as Docker reads it: a path is excluded when it or one of its parent folders matches
 * a pattern (`*`, `?` and `**` as in Docker), the last matching line deciding (`!` re-includes).
 * Returns the pattern that excludes a path, or undefined.
 */
export function dockerignore(text: string): (path: string) => string | undefined {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const glob = posix.normalize(line.slice(negate ? 1 : 0).trim()).replace(/^\/+/, '');
      return { line, negate, pattern: globToRegExp(glob) };
    });
  return (path) => {
    const parts = posix.normalize(path).split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excludedBy: string | undefined;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.pattern.test(candidate))) {
        excludedBy = rule.negate ? undefined : rule.line;
      }
    }
    return excludedBy;
  };
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i += glob[i + 2] === '/' ? 2 : 1;
      source += glob[i] === '/' ? '(?:.*/)?' : '.*';
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export interface CopySource {
  /** Where sources are read from (the build context, or a finished stage's root). */
  dir: string;
  /** Shown in errors: "the build context", "stage build". */
  label: string;
  /** The build context's .dockerignore; none for a stage. */
  ignored?: (path: string) => string | undefined;
  /**
   * Hard-link files instead of copying them (a finished stage's files, which the next stage only
   * reads: /app is root's in the image and the server runs as another user). Copying the ~45,000 files
   * of the build stage takes 20 to 40 s; linking them, a few.
   */
  link?: boolean;
}

/** COPY into `root` (the stage's file system), `dest` relative to `workdir`, with Docker's rules. */
export async function copy(step: CopyStep, from: CopySource, root: string, workdir: string): Promise<void> {
  const dest = posix.resolve(workdir, step.dest);
  const intoFolder = step.dest.endsWith('/') || step.sources.length > 1;
  for (const source of step.sources) {
    const relative = posix.normalize(source).replace(/^\/+/, '');
    if (relative.startsWith('..')) throw new Error(`COPY source "${source}" is outside ${from.label}`);
    const excludedBy = from.ignored?.(relative);
    if (excludedBy) {
      throw new Error(
        `COPY source "${source}" is excluded from ${from.label} by .dockerignore "${excludedBy}"`,
      );
    }
    const path = join(from.dir, relative);
    if (!existsSync(path)) throw new Error(`COPY source "${source}" does not exist in ${from.label}`);
    const isFolder = (await lstat(path)).isDirectory();
    const target = join(root, intoFolder && !isFolder ? posix.join(dest, posix.basename(relative)) : dest);
    if (from.link) linkTree(path, target);
    else await copyTree(path, target, relative, from.ignored);
  }
}

/** Files, modes and symlinks (pnpm's node_modules is made of relative links) as they are. */
async function copyTree(from: string, to: string, relative: string, ignored?: CopySource['ignored']) {
  if (ignored?.(relative)) return;
  const stat = await lstat(from);
  if (stat.isDirectory()) {
    await mkdir(to, { recursive: true });
    for (const name of await readdir(from)) {
      await copyTree(join(from, name), join(to, name), posix.join(relative, name), ignored);
    }
  } else {
    await mkdir(dirname(to), { recursive: true });
    if (stat.isSymbolicLink()) await symlink(await readlink(from), to);
    else await copyFile(from, to);
  }
}

/** Synchronous on purpose: tens of thousands of small calls, each queued on libuv's 4 threads, are slower. */
function linkTree(from: string, to: string): void {
  const stat = lstatSync(from);
  if (stat.isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) linkTree(join(from, name), join(to, name));
  } else {
    mkdirSync(dirname(to), { recursive: true });
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else linkSync(from, to);
  }
}
