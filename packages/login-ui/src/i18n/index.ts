import { en } from './en.ts';
import { fr } from './fr.ts';
import type { Messages } from './types.ts';

export type { Messages } from './types.ts';

/** The first entry is the fallback for anything we cannot match. */
export const SUPPORTED_LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

export const messages: Readonly<Record<Locale, Messages>> = Object.freeze({ en, fr });

export const isLocale = (value: string): value is Locale =>
  (SUPPORTED_LOCALES as readonly string[]).includes(value);

/**
 * Models carry a plain string; anything but a supported locale falls back to `en` rather than reaching
 * `<html lang>` or picking an undefined catalogue.
 */
export const resolveLocale = (locale: string): Locale => (isLocale(locale) ? locale : 'en');
