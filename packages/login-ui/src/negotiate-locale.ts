import { type Locale, SUPPORTED_LOCALES } from './i18n/index.ts';

// BCP 47 shape, loosely (RFC 5646 §2.1): enough to skip garbage without rejecting real tags.
const TAG = /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/i;
// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
// Headers are attacker-sized; real browsers send a handful of entries.
const MAX_ENTRIES = 32;

/**
 * Picks the page language. `ui_locales` (OIDC Core §3.1.2.1: space-separated, in order of preference)
 * wins over `Accept-Language` (RFC 9110 §12.5.4, q-values); a region falls back to its language
 * (`fr-CA` → `fr`); anything unmatched or malformed gives `en`.
 */
export function negotiateLocale(uiLocales: string | undefined, acceptLanguage: string | undefined): string {
  return (
    firstSupported(parseUiLocales(uiLocales)) ?? firstSupported(parseAcceptLanguage(acceptLanguage)) ?? 'en'
  );
}

function parseUiLocales(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.trim().split(/\s+/).slice(0, MAX_ENTRIES);
}

/** Tags by descending q (stable for equal q), without q=0 ("not acceptable") or malformed entries. */
function parseAcceptLanguage(value: string | undefined): string[] {
  if (value === undefined) return [];
  const ranges: { tag: string; q: number }[] = [];
  for (const entry of value.split(',').slice(0, MAX_ENTRIES)) {
    const [tag = '', ...params] = entry.split(';').map((part) => part.trim());
    let q = 1;
    let valid = TAG.test(tag) || tag === '*';
    for (const param of params) {
      const match = /^q\s*=\s*(.*)$/i.exec(param);
      if (match === null || !QVALUE.test(match[1]!)) valid = false;
      else q = Number(match[1]);
    }
    if (valid && q > 0) ranges.push({ tag, q });
  }
  return ranges.sort((a, b) => b.q - a.q).map((range) => range.tag);
}

function firstSupported(tags: string[]): Locale | undefined {
  for (const tag of tags) {
    if (!TAG.test(tag)) continue; // also skips `*`: it means "anything", and the fallback covers that
    const language = tag.toLowerCase().split('-')[0];
    const match = SUPPORTED_LOCALES.find((locale) => locale === language);
    if (match !== undefined) return match;
  }
  return undefined;
}
