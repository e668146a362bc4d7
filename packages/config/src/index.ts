import type { Option } from './option.ts';
import { schema } from './schema.ts';

export { type Config, type LoadOptions, loadConfig, tookDefault } from './load.ts';
export type { Option } from './option.ts';
export { schema };

/** Every option with its area and key, in schema order (README table, docker-compose check). */
export function describeOptions(): { area: string; key: string; option: Option<unknown> }[] {
  return Object.entries(schema).flatMap(([area, options]) =>
    Object.entries(options as Record<string, Option<unknown>>).map(([key, option]) => ({
      area,
      key,
      option,
    })),
  );
}

/** The README's configuration table, generated from the schema so the two cannot drift apart. */
export function configTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = describeOptions().map(
    ({ area, option }) =>
      `| \`${option.env}\` | ${area} | ${cell(option.shownDefault)} | ${cell(option.doc)} |`,
  );
  return ['| variable | area | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
