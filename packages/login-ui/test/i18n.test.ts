import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messages, SUPPORTED_LOCALES } from '../src/index.ts';
import { texts } from './support/dom.ts';
import { everyPage, loginModel, pages } from './support/fixtures.ts';

/** Key paths of a catalogue, so a locale that misses a string fails here rather than on a page. */
function shape(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [`${path}:${typeof value}`];
  return Object.entries(value).flatMap(([key, child]) => shape(child, `${path}.${key}`));
}

// Model values the fixtures put on pages: they are the same in every locale by design.
const MODEL_TEXT = new Set([
  'Acme',
  'access_denied',
  'read:invoices',
  'Read your invoices',
  'openid',
  'req-42',
  'The user denied the request.',
]);

describe('messages', () => {
  it('has the same strings in every locale', () => {
    const reference = shape(messages.en).sort();
    for (const locale of SUPPORTED_LOCALES)
      assert.deepEqual(shape(messages[locale]).sort(), reference, locale);
  });

  it('shows French text for fr', () => {
    const doc = pages.login(
      loginModel({ locale: 'fr', error: 'invalid_credentials', signupUrl: '/u/signup' }),
    );
    assert.match(doc, /<html lang="fr"/);
    assert.match(doc, /<h1>Bienvenue<\/h1>/);
    assert.match(doc, /<label for="password">Mot de passe<\/label>/);
    assert.match(doc, /E-mail\/nom d’utilisateur ou mot de passe incorrect\./);
    assert.match(doc, /<button type="submit">Continuer<\/button>/);
  });

  it('takes every visible text from the locale, none hard-coded in markup', () => {
    const en = everyPage('en', true);
    const fr = everyPage('fr', true);
    for (const name of Object.keys(en)) {
      const english = new Set(texts(en[name]!));
      const shared = texts(fr[name]!).filter((text) => english.has(text) && !MODEL_TEXT.has(text));
      // "Continuer"/"Continue" differ; what is left in common must be a model value, not wording.
      assert.deepEqual(shared, [], `${name}: text identical in en and fr`);
    }
  });

  it('renders an unsupported locale in English with lang="en"', () => {
    const doc = pages.login(loginModel({ locale: 'de' }));
    assert.match(doc, /<html lang="en"/);
    assert.match(doc, /<h1>Welcome<\/h1>/);
  });
});
