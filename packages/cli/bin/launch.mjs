// `node --no-node-snapshot packages/cli/bin/launch.mjs <entry.ts> [args…]`: what `pnpm start` and
// `pnpm tessera` run. Tessera's sources are TypeScript run by Node's own type stripping (Node 24):
// an older Node stops at the first import with ERR_UNKNOWN_FILE_EXTENSION, which says nothing about
// the Node version. This file is plain JavaScript any Node from 18 on parses, so it can say it.
import { fileURLToPath } from 'node:url';

const REQUIRED = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED) {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  process.stderr.write(
    `Tessera needs Node.js ${REQUIRED} or newer (this is v${process.versions.node}): install it from ` +
      `https://nodejs.org, or run \`npm install --prefix ~/.cache/node${REQUIRED} ` +
      `node-${platform}-${process.arch}@${REQUIRED}\` and put ~/.cache/node${REQUIRED}/node_modules/` +
      `node-${platform}-${process.arch}/bin first in your PATH\n`,
  );
  process.exit(1);
}

const [entry] = process.argv.splice(2, 1);
if (entry === undefined) {
  process.stderr.write('usage: node --no-node-snapshot launch.mjs <entry.ts> [args…]\n');
  process.exit(2);
}
// The entry is named from the repository root (where pnpm runs the scripts), wherever this is run from.
const url = new URL(entry, new URL('../../../', import.meta.url));
// The entry sees the command line it would see if Node had been given it directly.
process.argv[1] = fileURLToPath(url);
await import(url.href);
