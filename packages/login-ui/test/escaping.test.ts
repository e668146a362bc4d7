import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, elements, texts, unknownMarkup } from './support/dom.ts';
import { consentModel, errorModel, loginModel, logoutModel, pages, signupModel } from './support/fixtures.ts';

// Breaks out of text, of double- and single-quoted attributes, and smuggles an entity.
const HOSTILE = `"'><script>alert(1)</script><img src=x onerror="alert('x')">&amp;`;
// Still a valid local path (no whitespace), so it reaches the markup and must be escaped there.
const HOSTILE_URL = `/x?a="><script>alert(1)</script>&b='<img/src=x/onerror=alert(1)>'`;

const TAGS = new Set(
  'html head meta title link body main p h1 div form input label button a ul li code'.split(' '),
);
const ATTRIBUTES = new Set(
  `lang dir charset name content rel href class id role method action type value for autocomplete required
  autocapitalize spellcheck minlength aria-invalid aria-describedby aria-labelledby autofocus formaction`.split(
    /\s+/,
  ),
);

/** No markup but ours, no attribute but ours, and the hostile value shown back intact as text. */
function assertEscaped(doc: string, value: string, where: 'text' | 'attribute' | 'hidden') {
  assert.deepEqual(unknownMarkup(doc, TAGS), [], 'only our own tags');
  for (const element of elements(doc)) {
    for (const name of Object.keys(element.attrs))
      assert.ok(ATTRIBUTES.has(name), `unexpected attribute ${name}`);
  }
  // `onerror=` may appear as escaped text; the attribute allow-list above is what rules it out.
  assert.doesNotMatch(doc, /<script/i);
  const attributeValues = elements(doc).flatMap((element) => Object.values(element.attrs));
  if (where === 'text')
    assert.ok(
      texts(doc).some((text) => text.includes(value)),
      'shown as text',
    );
  if (where === 'attribute')
    assert.ok(
      attributeValues.some((v) => v.includes(value)),
      'kept in an attribute',
    );
  if (where === 'hidden') {
    assert.ok(!texts(doc).some((text) => text.includes(value)), 'not reflected as text');
    assert.ok(!attributeValues.some((v) => v.includes(value)), 'not reflected in attributes');
  }
}

const cases: [string, () => string, string, 'text' | 'attribute' | 'hidden'][] = [
  ['login tenantName', () => pages.login(loginModel({ tenantName: HOSTILE })), HOSTILE, 'text'],
  ['login identifier', () => pages.login(loginModel({ identifier: HOSTILE })), HOSTILE, 'attribute'],
  ['login clientName', () => pages.login(loginModel({ clientName: HOSTILE })), HOSTILE, 'text'],
  ['login csrfToken', () => pages.login(loginModel({ csrfToken: HOSTILE })), HOSTILE, 'attribute'],
  ['login action', () => pages.login(loginModel({ action: HOSTILE_URL })), HOSTILE_URL, 'attribute'],
  ['login signupUrl', () => pages.login(loginModel({ signupUrl: HOSTILE_URL })), HOSTILE_URL, 'attribute'],
  ['login assetsPath', () => pages.login(loginModel({ assetsPath: HOSTILE_URL })), HOSTILE_URL, 'attribute'],
  ['login locale', () => pages.login(loginModel({ locale: HOSTILE })), HOSTILE, 'hidden'],
  ['signup tenantName', () => pages.signup(signupModel({ tenantName: HOSTILE })), HOSTILE, 'text'],
  ['signup email', () => pages.signup(signupModel({ email: HOSTILE })), HOSTILE, 'attribute'],
  ['signup clientName', () => pages.signup(signupModel({ clientName: HOSTILE })), HOSTILE, 'text'],
  ['signup csrfToken', () => pages.signup(signupModel({ csrfToken: HOSTILE })), HOSTILE, 'attribute'],
  ['signup loginUrl', () => pages.signup(signupModel({ loginUrl: HOSTILE_URL })), HOSTILE_URL, 'attribute'],
  ['consent tenantName', () => pages.consent(consentModel({ tenantName: HOSTILE })), HOSTILE, 'text'],
  ['consent clientName', () => pages.consent(consentModel({ clientName: HOSTILE })), HOSTILE, 'text'],
  ['consent audience', () => pages.consent(consentModel({ audience: HOSTILE })), HOSTILE, 'text'],
  ['consent csrfToken', () => pages.consent(consentModel({ csrfToken: HOSTILE })), HOSTILE, 'attribute'],
  [
    'consent denyAction',
    () => pages.consent(consentModel({ denyAction: HOSTILE_URL })),
    HOSTILE_URL,
    'attribute',
  ],
  [
    'consent scope value',
    () => pages.consent(consentModel({ scopes: [{ value: HOSTILE }] })),
    HOSTILE,
    'text',
  ],
  [
    'consent scope description',
    () => pages.consent(consentModel({ scopes: [{ value: 'read:x', description: HOSTILE }] })),
    HOSTILE,
    'text',
  ],
  ['logout tenantName', () => pages.logoutConfirm(logoutModel({ tenantName: HOSTILE })), HOSTILE, 'text'],
  ['logout clientName', () => pages.logoutConfirm(logoutModel({ clientName: HOSTILE })), HOSTILE, 'text'],
  ['logout csrfToken', () => pages.logoutConfirm(logoutModel({ csrfToken: HOSTILE })), HOSTILE, 'attribute'],
  ['loggedOut tenantName', () => pages.loggedOut(loginModel({ tenantName: HOSTILE })), HOSTILE, 'text'],
  ['error tenantName', () => pages.error(errorModel({ tenantName: HOSTILE })), HOSTILE, 'text'],
  ['error description', () => pages.error(errorModel({ description: HOSTILE })), HOSTILE, 'text'],
  ['error code', () => pages.error(errorModel({ error: HOSTILE })), HOSTILE, 'hidden'],
  ['error requestId', () => pages.error(errorModel({ requestId: HOSTILE })), HOSTILE, 'hidden'],
];

describe('escaping', () => {
  for (const [field, render, value, where] of cases) {
    it(`escapes ${field} (${where === 'hidden' ? 'not reflected at all' : `kept intact as ${where}`})`, () => {
      assertEscaped(render(), value, where);
    });
  }

  it('writes the five special characters as entities in text and attributes alike', () => {
    const doc = pages.login(loginModel({ tenantName: `<&>"'`, identifier: `<&>"'` }));
    assert.match(doc, /<p class="tenant">&lt;&amp;&gt;&quot;&#39;<\/p>/);
    assert.match(doc, / value="&lt;&amp;&gt;&quot;&#39;"/);
  });

  it('never double-decodes: an entity in the input stays visible as typed', () => {
    const doc = pages.login(loginModel({ tenantName: '&lt;b&gt;' }));
    assert.ok(texts(doc).includes('&lt;b&gt;'));
    assert.equal(decode('&amp;lt;'), '&lt;');
  });
});
