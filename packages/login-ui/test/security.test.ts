import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { elements, textById } from './support/dom.ts';
import {
  CSRF,
  consentModel,
  errorModel,
  everyPage,
  loginModel,
  logoutModel,
  pages,
  signupModel,
} from './support/fixtures.ts';

const all = { ...everyPage('en'), ...prefix('(fr, with errors)', everyPage('fr', true)) };

function prefix(label: string, docs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(docs).map(([name, doc]) => [`${name} ${label}`, doc]));
}

describe('pages under our CSP (no inline script or style, nothing external)', () => {
  for (const [name, doc] of Object.entries(all)) {
    it(`${name}: no <script, no <style, no style= attribute, no event handler`, () => {
      assert.doesNotMatch(doc, /<script/i);
      assert.doesNotMatch(doc, /<style/i);
      assert.doesNotMatch(doc, /\sstyle=/i);
      assert.ok(
        elements(doc).every((element) => Object.keys(element.attrs).every((attr) => !/^on/.test(attr))),
      );
    });

    it(`${name}: loads only our stylesheet, by a local versioned path, and declares an empty icon`, () => {
      const hash = pages.stylesheet().hash;
      const links = elements(doc, 'link');
      assert.deepEqual(links, [
        // An empty data: icon, so browsers do not request /favicon.ico (a 404 on every page).
        { tag: 'link', attrs: { rel: 'icon', href: 'data:,' } },
        { tag: 'link', attrs: { rel: 'stylesheet', href: `/u/assets/tessera.css?v=${hash}` } },
      ]);
      assert.deepEqual(elements(doc, 'img'), []);
      assert.deepEqual(elements(doc, 'iframe'), []);
    });

    it(`${name}: no referrer, not indexed`, () => {
      const metas = elements(doc, 'meta');
      assert.ok(metas.some((meta) => meta.attrs.name === 'referrer' && meta.attrs.content === 'no-referrer'));
      assert.ok(metas.some((meta) => meta.attrs.name === 'robots' && meta.attrs.content === 'noindex'));
    });
  }

  for (const [name, doc] of Object.entries(everyPage('en', true))) {
    const csrf = CSRF[name];
    it(`${name}: every form posts and carries the CSRF field`, () => {
      const forms = doc.split(/<form\b/).slice(1);
      assert.equal(forms.length, csrf === undefined ? 0 : 1);
      for (const form of forms) {
        const [open, ...inputs] = elements(`<form${form.slice(0, form.indexOf('</form>'))}`).filter(
          (element) => element.tag === 'form' || element.tag === 'input',
        );
        assert.equal(open!.attrs.method, 'post');
        assert.ok(inputs.some((input) => input.attrs.type === 'hidden' && input.attrs.name === csrf!.name));
        assert.equal(inputs.find((input) => input.attrs.name === csrf!.name)!.attrs.value, csrf!.token);
      }
    });
  }

  it('never puts anything in a password field', () => {
    for (const doc of Object.values(all)) {
      for (const input of elements(doc, 'input').filter((element) => element.attrs.type === 'password')) {
        assert.equal(input.attrs.value, undefined);
      }
    }
  });
});

describe('URLs', () => {
  const bad = [
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,x',
    '//evil.example/x',
    '/\\evil.example',
  ];
  const renders: [string, (url: string) => string][] = [
    ['login action', (url) => pages.login(loginModel({ action: url }))],
    ['login signupUrl', (url) => pages.login(loginModel({ signupUrl: url }))],
    ['signup loginUrl', (url) => pages.signup(signupModel({ loginUrl: url }))],
    ['consent denyAction', (url) => pages.consent(consentModel({ denyAction: url }))],
    ['logout action', (url) => pages.logoutConfirm(logoutModel({ action: url }))],
    ['assetsPath', (url) => pages.error(errorModel({ assetsPath: url }))],
  ];
  for (const [field, render] of renders) {
    it(`refuses to render ${field} unless it is a local path or http(s)`, () => {
      for (const url of bad) assert.throws(() => render(url), TypeError, url);
      assert.doesNotThrow(() => render('/u/x?state=a&b=c'));
      assert.doesNotThrow(() => render('https://app.example.com/x'));
    });
  }
});

describe('error text that enumerates nothing', () => {
  it('says the same thing for an unknown user and a wrong password', () => {
    const doc = pages.login(loginModel({ identifier: 'nobody@example.com', error: 'invalid_credentials' }));
    assert.equal(textById(doc, 'form-error'), 'Wrong email/username or password.');
  });

  it('throttles without saying whether the account exists, rounding the wait up to minutes', () => {
    const say = (retryAfterSeconds?: number, locale = 'en') =>
      textById(
        pages.login(loginModel({ locale, error: 'too_many_attempts', retryAfterSeconds })),
        'form-error',
      );
    assert.equal(say(30), 'Too many attempts. Try again in 1 minute.');
    assert.equal(say(61), 'Too many attempts. Try again in 2 minutes.');
    assert.equal(say(), 'Too many attempts. Try again later.');
    assert.equal(say(Number.NaN), 'Too many attempts. Try again later.');
    assert.equal(say(-5), 'Too many attempts. Try again later.');
    assert.equal(say(600, 'fr'), 'Trop de tentatives. Réessayez dans 10 minutes.');
    assert.equal(say(60, 'fr'), 'Trop de tentatives. Réessayez dans 1 minute.');
    assert.doesNotMatch(say(60)!, /account|user|exist/i);
  });

  it('shows a generic message for an error code it does not know', () => {
    const doc = pages.login(loginModel({ error: 'user_not_found' as never }));
    assert.equal(textById(doc, 'form-error'), 'Something went wrong on our side. Please try again.');
  });
});

describe('error page', () => {
  it('shows a wire error code and our request id, each only when shaped like one', () => {
    const doc = pages.error(errorModel({ error: 'access_denied', requestId: '01J9Z8-abc' }));
    assert.match(doc, /<h1>Access denied<\/h1>/);
    assert.match(doc, /<code>access_denied<\/code>/);
    assert.match(doc, /<code>01J9Z8-abc<\/code>/);
    const odd = pages.error(errorModel({ error: 'Call +1 555 0100 now', requestId: 'see http://x' }));
    assert.match(odd, /<code>server_error<\/code>/);
    assert.doesNotMatch(odd, /555|http:\/\/x/);
  });

  it('shortens a long description instead of rendering a page of attacker text', () => {
    const doc = pages.error(errorModel({ description: 'a'.repeat(5000) }));
    const shown = /<p>(a+…)<\/p>/.exec(doc)?.[1];
    assert.equal(shown?.length, 300);
  });
});
