import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { error, once } from './helpers.ts';

const M = 'api.redirect.sendUserTo';
const send = (...args: unknown[]) => once('redirect.sendUserTo', args);

describe(M, () => {
  it('records an https URL, normalised', () => {
    const { result, commands } = send('https://Consent.Example.com/terms');
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'redirect.sendUserTo', url: 'https://consent.example.com/terms' },
    ]);
  });

  it('merges the query option into the URL, replacing a parameter of the same name', () => {
    const { commands } = send('https://example.com/p?lang=en&x=1', {
      query: { lang: 'fr', session_token: 'a.b.c', note: 'a b&c' },
    });
    assert.deepEqual(commands, [
      {
        action: 'first',
        type: 'redirect.sendUserTo',
        url: 'https://example.com/p?lang=fr&x=1&session_token=a.b.c&note=a+b%26c',
      },
    ]);
  });

  it('allows http: only on loopback hosts', () => {
    for (const url of ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb']) {
      assert.deepEqual(send(url).result, { ok: true }, url);
    }
    assert.deepEqual(
      send('http://example.com/cb').result,
      error(`${M}: url must use https: (http: is allowed only for localhost, 127.0.0.1 and [::1])`),
    );
    assert.deepEqual(
      send('http://localhost.evil.example/cb').result,
      error(`${M}: url must use https: (http: is allowed only for localhost, 127.0.0.1 and [::1])`),
    );
  });

  it('refuses javascript:, data: and other schemes', () => {
    assert.deepEqual(
      send('javascript:alert(1)').result,
      error(`${M}: url must be an https: URL (got a "javascript:" URL)`),
    );
    assert.deepEqual(
      send(' JavaScript:alert(1)').result,
      error(`${M}: url must be an https: URL (got a "javascript:" URL)`),
    );
    assert.deepEqual(
      send('data:text/html,<script>x</script>').result,
      error(`${M}: url must be an https: URL (got a "data:" URL)`),
    );
    assert.deepEqual(
      send('ftp://example.com').result,
      error(`${M}: url must be an https: URL (got a "ftp:" URL)`),
    );
  });

  it('refuses relative and protocol-relative URLs', () => {
    assert.deepEqual(send('/continue').result, error(`${M}: url must be an absolute URL (got "/continue")`));
    assert.deepEqual(
      send('//evil.example/x').result,
      error(`${M}: url must be an absolute URL (got "//evil.example/x")`),
    );
    assert.deepEqual(send('').result, error(`${M}: url must be an absolute URL (got "")`));
  });

  it('refuses credentials in the URL', () => {
    assert.deepEqual(
      send('https://user:pw@example.com/').result,
      error(`${M}: url must not contain credentials (user:password@)`),
    );
  });

  it('refuses a URL over 4 KB, before and after merging the query', () => {
    const long = `https://example.com/${'a'.repeat(4100)}`;
    assert.deepEqual(send(long).result, error(`${M}: url is 4120 bytes; the limit is 4096 bytes`));
    const result = send('https://example.com/', { query: { q: 'b'.repeat(4090) } }).result;
    assert.deepEqual(result, error(`${M}: the URL with its query is 4113 bytes; the limit is 4096 bytes`));
  });

  it('refuses a non-string URL and bad options', () => {
    assert.deepEqual(send(undefined).result, error(`${M}: url must be a string (got undefined)`));
    assert.deepEqual(
      send('https://example.com', 'q=1').result,
      error(`${M}: options must be an object (got a string)`),
    );
    assert.deepEqual(
      send('https://example.com', { query: 'q=1' }).result,
      error(`${M}: options.query must be an object of strings (got a string)`),
    );
    assert.deepEqual(
      send('https://example.com', { query: { n: 1 } }).result,
      error(`${M}: options.query["n"] must be a string (got a number)`),
    );
  });

  it('refuses a state parameter, which Tessera adds itself', () => {
    const message = `${M}: the "state" query parameter is reserved; Tessera adds the transaction's state`;
    assert.deepEqual(send('https://example.com/?state=x').result, error(message));
    assert.deepEqual(send('https://example.com/', { query: { state: 'x' } }).result, error(message));
  });

  it('is refused when the transaction cannot redirect', () => {
    const { result, commands } = once('redirect.sendUserTo', ['https://example.com'], {
      canRedirect: false,
      protocol: 'oauth2-refresh-token',
    });
    assert.deepEqual(
      result,
      error(
        `${M}: this transaction cannot redirect the user (protocol "oauth2-refresh-token" or prompt=none); check api.redirect.canRedirect() first`,
      ),
    );
    assert.deepEqual(commands, []);
  });
});

describe('api.prompt.render', () => {
  it('records the prompt with its vars', () => {
    const { result, commands } = once('prompt.render', ['ap_123', { vars: { plan: 'pro' } }]);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'prompt.render', promptId: 'ap_123', vars: { plan: 'pro' } },
    ]);
  });

  it('defaults vars to an empty object', () => {
    assert.deepEqual(once('prompt.render', ['ap_123']).commands, [
      { action: 'first', type: 'prompt.render', promptId: 'ap_123', vars: {} },
    ]);
  });

  it('refuses a bad prompt id or options', () => {
    assert.deepEqual(
      once('prompt.render', [5]).result,
      error('api.prompt.render: promptId must be a non-empty string (got a number)'),
    );
    assert.deepEqual(
      once('prompt.render', ['ap', []]).result,
      error('api.prompt.render: promptOptions must be an object (got an array)'),
    );
    assert.deepEqual(
      once('prompt.render', ['ap', { vars: 'x' }]).result,
      error('api.prompt.render: promptOptions.vars must be an object (got a string)'),
    );
  });

  it('is refused when the transaction cannot show a page', () => {
    assert.deepEqual(
      once('prompt.render', ['ap'], { canRedirect: false }).result,
      error(
        'api.prompt.render: this transaction cannot redirect the user (protocol "oidc-basic-profile" or prompt=none); check api.redirect.canRedirect() first',
      ),
    );
  });
});
