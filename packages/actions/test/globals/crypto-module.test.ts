import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { messages, runBody } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';

const fixture = useRuntime({ workers: 1 });

const logged = async (body: string) => messages(await runBody(fixture, body));

describe("require('crypto')", () => {
  test('createHash digests match node:crypto, over several updates and encodings', async () => {
    assert.deepEqual(
      await logged(
        `const crypto = require('crypto');
         console.log(crypto.createHash('sha256').update('hello ').update(Buffer.from('world')).digest('hex'));
         console.log(crypto.createHash('sha512').update('é', 'utf8').digest('base64'));
         console.log(crypto.createHash('md5').update(new Uint8Array([1, 2, 3])).digest('hex'));
         console.log(crypto.createHash('sha1').update('a').digest().length);`,
      ),
      [
        createHash('sha256').update('hello world').digest('hex'),
        createHash('sha512').update('é', 'utf8').digest('base64'),
        createHash('md5')
          .update(new Uint8Array([1, 2, 3]))
          .digest('hex'),
        '20',
      ],
    );
  });

  test('createHmac digests match node:crypto, with string and Buffer keys', async () => {
    const secret = 'whsec_5f2b9c';
    assert.deepEqual(
      await logged(
        `const crypto = require('crypto');
         console.log(crypto.createHmac('sha256', '${secret}').update('payload').digest('hex'));
         console.log(crypto.createHmac('sha1', Buffer.from('k')).update('data').digest('base64url'));`,
      ),
      [
        createHmac('sha256', secret).update('payload').digest('hex'),
        createHmac('sha1', Buffer.from('k')).update('data').digest('base64url'),
      ],
    );
  });

  test('an unknown algorithm or a second digest() throws', async () => {
    assert.deepEqual(
      await logged(
        `const crypto = require('crypto');
         try { crypto.createHash('nope').update('x').digest(); } catch (error) { console.log(error.message); }
         const hash = crypto.createHash('sha256'); hash.digest();
         try { hash.digest(); } catch (error) { console.log(error.message); }`,
      ),
      ['Digest method not supported', 'Digest already called'],
    );
  });

  test('randomBytes (sync and callback) and randomUUID', async () => {
    assert.deepEqual(
      await logged(
        `const crypto = require('crypto');
         const bytes = crypto.randomBytes(32);
         console.log(Buffer.isBuffer(bytes), bytes.length, crypto.randomBytes(8).toString('hex').length);
         console.log(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
         await new Promise((resolve) => crypto.randomBytes(4, (error, buf) => { console.log(error, buf.length); resolve(); }));`,
      ),
      ['true 32 16', 'true', 'null 4'],
    );
  });

  test('timingSafeEqual compares equal-length buffers and refuses different lengths', async () => {
    assert.deepEqual(
      await logged(
        `const { timingSafeEqual } = require('crypto');
         console.log(timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), timingSafeEqual(Buffer.from('abc'), Buffer.from('abd')));
         try { timingSafeEqual(Buffer.from('a'), Buffer.from('ab')); } catch (error) { console.log(error.name, error.code); }`,
      ),
      ['true false', 'RangeError ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH'],
    );
  });

  test("require('node:crypto') is the same module", async () => {
    assert.deepEqual(await logged(`console.log(require('node:crypto') === require('crypto'));`), ['true']);
  });
});
