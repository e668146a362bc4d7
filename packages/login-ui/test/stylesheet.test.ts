import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoginPages, stylesheetAsset, TESSERA_CSS } from '../src/index.ts';

describe('stylesheet', () => {
  it('is versioned by a hash of its content', () => {
    const { body, hash } = createLoginPages().stylesheet();
    assert.equal(body, TESSERA_CSS);
    assert.match(hash, /^[0-9a-f]{16}$/);
    assert.equal(stylesheetAsset(TESSERA_CSS).hash, hash, 'stable for the same content');
    assert.notEqual(stylesheetAsset(`${TESSERA_CSS} `).hash, hash, 'changes with the content');
  });

  it('loads nothing from elsewhere', () => {
    assert.doesNotMatch(TESSERA_CSS, /@import|url\(/);
  });

  it('has visible focus, a dark scheme, and a narrow-screen layout', () => {
    assert.match(TESSERA_CSS, /:focus-visible\s*\{[^}]*outline:\s*3px solid/);
    assert.match(TESSERA_CSS, /@media \(prefers-color-scheme: dark\)/);
    assert.match(TESSERA_CSS, /@media \(max-width: 30rem\)/);
    assert.match(TESSERA_CSS, /font-family: system-ui/);
  });
});
