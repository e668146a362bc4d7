import { configTable } from './index.ts';

// `node packages/config/src/readme-table.ts` prints the README's configuration table.
process.stdout.write(`${configTable()}\n`);
