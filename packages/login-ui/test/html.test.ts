import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, SafeHtml } from '../src/index.ts';

describe('html builder', () => {
  it('escapes every interpolated string', () => {
    assert.equal(
      `${html`<p title="${`"'<&>`}">${'<b>'}</p>`}`,
      '<p title="&quot;&#39;&lt;&amp;&gt;">&lt;b&gt;</p>',
    );
  });

  it('keeps already-built SafeHtml, arrays of it, and numbers', () => {
    const items = ['a<', 'b'].map((item) => html`<li>${item}</li>`);
    assert.equal(`${html`<ul>${items}</ul>${3}`}`, '<ul><li>a&lt;</li><li>b</li></ul>3');
  });

  it('renders nothing for false, null and undefined', () => {
    assert.equal(`${html`[${false}${null}${undefined}]`}`, '[]');
  });

  it('cannot be fooled by a string that looks like SafeHtml', () => {
    const fake = { toString: () => '<script>' } as unknown as string;
    assert.equal(`${html`${fake}`}`, '&lt;script&gt;');
    assert.equal(escapeHtml('&amp;'), '&amp;amp;');
    assert.ok(html`x` instanceof SafeHtml);
  });
});
