import { readFile } from 'node:fs/promises';

/** A problem with what the operator gave the command (exit code 2), as opposed to a failure (1). */
export class UsageError extends Error {}

/** Reads and parses a JSON file; unreadable or malformed files are usage errors naming the file. */
export async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A `--secrets` file: one JSON object of name → string value (`actions run` and `actions deploy`). */
export async function readSecrets(path: string): Promise<Record<string, string>> {
  const value = await readJson(path, 'secrets');
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError('--secrets must be a JSON object of strings');
  const out: Record<string, string> = {};
  for (const [name, secret] of Object.entries(value)) {
    if (typeof secret !== 'string') throw new UsageError(`--secrets: ${name} must be a string`);
    out[name] = secret;
  }
  return out;
}
