import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateLocale } from '../src/index.ts';

describe('negotiateLocale', () => {
  it('falls back to en when nothing is asked', () => {
    assert.equal(negotiateLocale(undefined, undefined), 'en');
    assert.equal(negotiateLocale('', ''), 'en');
  });

  it('lets ui_locales win over Accept-Language (OIDC Core §3.1.2.1)', () => {
    assert.equal(negotiateLocale('fr', 'en-US,en;q=0.9'), 'fr');
    assert.equal(negotiateLocale('en', 'fr'), 'en');
  });

  it('reads ui_locales as space-separated, in order of preference, skipping unsupported tags', () => {
    assert.equal(negotiateLocale('de-DE  fr-CA en', undefined), 'fr');
    assert.equal(negotiateLocale('  ja\tfr ', undefined), 'fr');
  });

  it('uses Accept-Language when no ui_locales tag is supported', () => {
    assert.equal(negotiateLocale('de ja', 'fr-FR,fr;q=0.9'), 'fr');
  });

  it('orders Accept-Language by q-value, not position', () => {
    assert.equal(negotiateLocale(undefined, 'en;q=0.5, fr;q=0.8'), 'fr');
    assert.equal(negotiateLocale(undefined, 'de, en;q=0.7, fr;q=0.9'), 'fr');
    assert.equal(negotiateLocale(undefined, 'fr;q=0.3, EN-gb;q=0.31'), 'en');
  });

  it('keeps header order for equal q-values', () => {
    assert.equal(negotiateLocale(undefined, 'fr-CH, en'), 'fr');
    assert.equal(negotiateLocale(undefined, 'en, fr'), 'en');
  });

  it('treats q=0 as "not acceptable"', () => {
    assert.equal(negotiateLocale(undefined, 'fr;q=0, en;q=0.1'), 'en');
    assert.equal(negotiateLocale(undefined, 'fr;q=0.000'), 'en');
  });

  it('falls back to en for unsupported languages and a bare wildcard', () => {
    assert.equal(negotiateLocale('de', 'ja, zh-Hant;q=0.9'), 'en');
    assert.equal(negotiateLocale(undefined, '*'), 'en');
    assert.equal(negotiateLocale(undefined, '*, fr;q=0.5'), 'fr');
  });

  it('ignores malformed entries and falls back to en for a malformed header', () => {
    assert.equal(negotiateLocale(undefined, ';;;,,,=='), 'en');
    assert.equal(negotiateLocale(undefined, 'fr;q=2'), 'en');
    assert.equal(negotiateLocale(undefined, 'fr;q=abc'), 'en');
    assert.equal(negotiateLocale(undefined, 'fr;level=1'), 'en');
    assert.equal(negotiateLocale(undefined, '<script>, fr;q=0.5'), 'fr');
    assert.equal(negotiateLocale('fr_FR "fr"', undefined), 'en');
    assert.equal(negotiateLocale(undefined, 'x'.repeat(10_000)), 'en');
  });

  it('reads only the first entries of an oversized header', () => {
    const header = [...Array.from({ length: 100 }, () => 'de'), 'fr'].join(',');
    assert.equal(negotiateLocale(undefined, header), 'en');
  });
});
