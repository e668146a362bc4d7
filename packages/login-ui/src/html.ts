/**
 * A tagged template that escapes every interpolated value unless it is `SafeHtml`, which only this
 * template builds. So the only markup that reaches a page is the static text of our own templates:
 * no model field, message or helper result can open a tag or leave an attribute.
 * Attribute values must always be written double-quoted in templates (`value="${v}"`): escaping makes
 * a quoted value safe, but nothing makes an unquoted one safe.
 */
import { escapeHtml } from '@tessera/core';

export { escapeHtml };
export class SafeHtml {
  readonly #markup: string;

  // Private: a public constructor would be a way to mark arbitrary strings as trusted.
  private constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }

  static build(strings: TemplateStringsArray, values: readonly Interpolation[]): SafeHtml {
    let markup = strings[0] ?? '';
    for (let i = 0; i < values.length; i++) markup += render(values[i]) + strings[i + 1];
    return new SafeHtml(markup);
  }
}

/** `false`, `null` and `undefined` render nothing, so `${cond && html`…`}` reads naturally. */
export type Interpolation = SafeHtml | string | number | false | null | undefined | readonly Interpolation[];

export const html = (strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml =>
  SafeHtml.build(strings, values);

function render(value: Interpolation | undefined): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === false || value === null || value === undefined) return '';
  return escapeHtml(String(value));
}
