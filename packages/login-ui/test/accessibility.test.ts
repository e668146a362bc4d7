import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { elements, textById } from './support/dom.ts';
import { everyPage, loginModel, pages, signupModel } from './support/fixtures.ts';

const AUTOCOMPLETE = new Set(['username', 'current-password', 'new-password', 'email']);

function assertStructure(doc: string, locale: string) {
  assert.equal(elements(doc, 'html')[0]?.attrs.lang, locale, '<html lang>');
  assert.equal(elements(doc, 'main').length, 1, 'one <main>');
  assert.equal(elements(doc, 'h1').length, 1, 'one <h1>');
  assert.match(doc, /<title>[^<]+<\/title>/, 'a title');

  const ids = elements(doc)
    .map((element) => element.attrs.id)
    .filter((id) => id !== undefined);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');

  const labels = elements(doc, 'label');
  for (const input of elements(doc, 'input').filter((element) => element.attrs.type !== 'hidden')) {
    const { id, autocomplete } = input.attrs;
    assert.ok(id, 'every visible input has an id');
    assert.equal(labels.filter((label) => label.attrs.for === id).length, 1, `one <label for="${id}">`);
    assert.ok(autocomplete !== undefined && AUTOCOMPLETE.has(autocomplete), `autocomplete on #${id}`);
    for (const described of (input.attrs['aria-describedby'] ?? '').split(' ').filter(Boolean)) {
      assert.ok(ids.includes(described), `aria-describedby="${described}" points at an element`);
    }
    if (input.attrs['aria-invalid'] === 'true') {
      const alert = elements(doc).find((element) => element.attrs.role === 'alert');
      assert.ok(alert?.attrs.id, 'an invalid field comes with an alert');
      assert.ok(input.attrs['aria-describedby']?.split(' ').includes(alert.attrs.id), 'linked to the alert');
    }
  }
  for (const button of doc.matchAll(/<button[^>]*>([^<]*)<\/button>/g)) {
    assert.notEqual(button[1]!.trim(), '', 'every button has text');
  }
}

describe('accessible structure', () => {
  for (const locale of ['en', 'fr']) {
    for (const withErrors of [false, true]) {
      for (const [name, doc] of Object.entries(everyPage(locale, withErrors))) {
        it(`${name} (${locale}${withErrors ? ', with an error' : ''}) has lang, main, one h1, labelled inputs`, () => {
          assertStructure(doc, locale);
        });
      }
    }
  }

  it('login: wrong credentials mark both fields invalid and announce one message', () => {
    const doc = pages.login(loginModel({ identifier: 'ada', error: 'invalid_credentials' }));
    const [username, password] = [elements(doc, 'input')[1]!, elements(doc, 'input')[2]!];
    for (const field of [username, password]) {
      assert.equal(field.attrs['aria-invalid'], 'true');
      assert.equal(field.attrs['aria-describedby'], 'form-error');
    }
    assert.equal(textById(doc, 'form-error'), 'Wrong email/username or password.');
    assert.match(doc, /<div class="alert" id="form-error" role="alert">/);
  });

  it('login: a throttle or server error is announced without blaming a field', () => {
    for (const error of ['too_many_attempts', 'blocked', 'server_error'] as const) {
      const doc = pages.login(loginModel({ error }));
      assert.equal(elements(doc).filter((element) => element.attrs.role === 'alert').length, 1);
      assert.ok(elements(doc, 'input').every((input) => input.attrs['aria-invalid'] === undefined));
    }
  });

  it('login: uses username and current-password autocomplete, focuses the first empty field', () => {
    const empty = elements(pages.login(loginModel()), 'input');
    assert.deepEqual(
      empty.slice(1).map((input) => [input.attrs.autocomplete, 'autofocus' in input.attrs]),
      [
        ['username', true],
        ['current-password', false],
      ],
    );
    const prefilled = elements(pages.login(loginModel({ identifier: 'ada' })), 'input');
    assert.equal(prefilled[1]!.attrs.value, 'ada');
    assert.ok('autofocus' in prefilled[2]!.attrs);
  });

  it('signup: email and new-password autocomplete; the error and the rule describe the password', () => {
    const doc = pages.signup(signupModel({ error: 'weak_password', passwordMinLength: 12 }));
    const [email, password] = [elements(doc, 'input')[1]!, elements(doc, 'input')[2]!];
    assert.equal(email.attrs.autocomplete, 'email');
    assert.equal(email.attrs.type, 'email');
    assert.equal(email.attrs['aria-invalid'], undefined);
    assert.equal(password.attrs.autocomplete, 'new-password');
    assert.equal(password.attrs['aria-invalid'], 'true');
    assert.equal(password.attrs['aria-describedby'], 'form-error password-hint');
    assert.equal(password.attrs.minlength, '12');
    assert.equal(textById(doc, 'password-hint'), 'At least 12 characters.');
  });

  it('signup: an email error marks the email field', () => {
    for (const error of ['email_taken', 'invalid_email'] as const) {
      const [, email, password] = elements(pages.signup(signupModel({ error })), 'input');
      assert.equal(email!.attrs['aria-invalid'], 'true');
      assert.equal(email!.attrs['aria-describedby'], 'form-error');
      assert.equal(password!.attrs['aria-invalid'], undefined);
    }
  });
});
