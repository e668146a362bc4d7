/**
 * Just enough HTML reading for assertions on our own output, which always double-quotes attributes.
 * Not a general parser: it would be wrong on comments, CDATA or raw-text elements, none of which the
 * pages emit (and the tests fail if they ever do, since `<` would start an unknown tag).
 */
export interface Element {
  tag: string;
  attrs: Record<string, string>;
}

const START_TAG = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:="([^"]*)")?/g;

export function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
    if (entity[0] !== '#') return named[entity.toLowerCase()]!;
    return String.fromCodePoint(
      entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1)),
    );
  });
}

export function elements(doc: string, tag?: string): Element[] {
  const found: Element[] = [];
  for (const match of doc.matchAll(START_TAG)) {
    const attrs: Record<string, string> = {};
    for (const attr of match[2]!.matchAll(ATTRIBUTE)) attrs[attr[1]!.toLowerCase()] = decode(attr[2] ?? '');
    const name = match[1]!.toLowerCase();
    if (tag === undefined || name === tag) found.push({ tag: name, attrs });
  }
  return found;
}

/** Decoded, whitespace-trimmed text between tags (the `<title>` included). */
export function texts(doc: string): string[] {
  return doc
    .split(/<[^>]*>/)
    .map((text) => decode(text).trim())
    .filter((text) => text !== '');
}

/** Text of the first element with this id, tags inside it dropped. */
export function textById(doc: string, id: string): string | undefined {
  const match = new RegExp(`<(\\w+)[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(doc);
  return match === null ? undefined : decode(match[2]!.replace(/<[^>]*>/g, '')).trim();
}

/** Every `<` in the document, counted against the tags we emit: injected markup has nowhere to hide. */
export function unknownMarkup(doc: string, allowed: ReadonlySet<string>): string[] {
  const rest = doc.replace(/^<!doctype html>/i, '');
  const unknown: string[] = [];
  for (const match of rest.matchAll(/<\/?([^\s>/]*)/g)) {
    if (!allowed.has(match[1]!.toLowerCase())) unknown.push(match[0]);
  }
  return unknown;
}
