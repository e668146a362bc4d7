import { readFileSync } from 'node:fs';
import type { Command, RunResult } from '../../src/index.ts';
import type { RunOptions } from '../api/support.ts';
import { action, type RuntimeFixture } from '../runtime/helpers.ts';

/** The source of `scripts/<name>.js`, exactly as a tenant would paste it into the editor. */
export function script(name: string): string {
  return readFileSync(new URL(`./scripts/${name}.js`, import.meta.url), 'utf8');
}

/** Runs `scripts/<name>.js` unchanged as one action named `name`. */
export function runScript(
  fixture: RuntimeFixture,
  name: string,
  options: RunOptions = {},
): Promise<RunResult> {
  const { secrets, ...rest } = options;
  return fixture.run([action(script(name), { name, secrets: secrets ?? {} })], rest);
}

/** Commands as the action `name` records them. */
export const commandsOf =
  (name: string) =>
  (...bodies: Array<Record<string, unknown>>): Command[] =>
    bodies.map((body) => ({ action: name, ...body }) as Command);
