import assert from 'node:assert/strict';
import { argon2Sync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { InvalidRequestError } from '@tessera/core';
import {
  dummyVerify,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  PASSWORD_PARAMS,
  verifyPassword,
} from '../src/passwords.ts';

const unpadded = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** A PHC string made with other parameters, as an older or stronger deployment would have stored. */
function phcOf(
  plain: string,
  { memory, passes, parallelism }: { memory: number; passes: number; parallelism: number },
) {
  const salt = Buffer.alloc(16, 7);
  const tag = argon2Sync('argon2id', {
    message: plain,
    nonce: salt,
    memory,
    passes,
    parallelism,
    tagLength: 32,
  });
  return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${unpadded(salt)}$${unpadded(tag)}`;
}

const PHC = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

describe('passwords', () => {
  it('hashes with argon2id (19 MiB, t=2, p=1) into a PHC string with a 16-byte salt and a 32-byte tag', async () => {
    const phc = await hashPassword('correct horse battery staple');
    const match = PHC.exec(phc);
    assert.ok(match, phc);
    // The tag is argon2id itself over the stored salt, not some other construction.
    const salt = Buffer.from(match[1]!, 'base64');
    const expected = argon2Sync('argon2id', {
      message: 'correct horse battery staple',
      nonce: salt,
      memory: 19456,
      passes: 2,
      parallelism: 1,
      tagLength: 32,
    });
    assert.equal(match[2], unpadded(expected));
    assert.deepEqual({ ...PASSWORD_PARAMS }, { memory: 19456, passes: 2, parallelism: 1 });
  });

  it('salts every hash afresh', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    assert.notEqual(a, b);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const phc = await hashPassword('s3cret-Ünïcode ✓');
    assert.equal(await verifyPassword('s3cret-Ünïcode ✓', phc), true);
    assert.equal(await verifyPassword('s3cret-Ünïcode', phc), false);
    assert.equal(await verifyPassword('S3cret-Ünïcode ✓', phc), false);
    assert.equal(await verifyPassword('', phc), false);
  });

  it('verifies with the parameters stored in the hash (the reference implementation’s test vector)', async () => {
    // phc-winner-argon2 test.c: argon2id v1.3, t=2, m=2^16, p=1, "password" / "somesalt".
    const reference =
      '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    assert.equal(await verifyPassword('password', reference), true);
    assert.equal(await verifyPassword('passwore', reference), false);
    assert.equal(needsRehash(reference), true, 'its 8-byte salt is shorter than today’s 16');
  });

  it('answers false, never throws, for malformed or foreign hashes', async () => {
    const good = await hashPassword('pw');
    const malformed = [
      '',
      'plain',
      good.replace('$argon2id$', '$argon2i$'),
      good.replace('v=19', 'v=16'),
      good.replace('m=19456', 'm=abc'),
      good.replace('m=19456', 'm=4'), // below 8 × p
      good.replace('m=19456', 'm=99999999'), // beyond the bound on stored parameters
      good.replace('t=2', 't=0'),
      good.replace('p=1', 'p=0'),
      `${good}=`,
      `${good.slice(0, -10)}`, // tag shorter than 16 bytes
      `${good.slice(0, good.lastIndexOf('$'))}$!!!notbase64!!!`,
      good.replace(/\$[^$]+\$([^$]+)$/, '$$$1'), // no salt
      '$2b$10$abcdefghijklmnopqrstuuO1fHk3/CPzNrGX9jJDIiHJwLqHk8a.K', // bcrypt
    ];
    for (const phc of malformed) assert.equal(await verifyPassword('pw', phc), false, phc);
    assert.equal(await verifyPassword('pw', undefined as unknown as string), false);
  });

  it('asks for a rehash when stored parameters are below today’s, or the hash is unreadable', async () => {
    assert.equal(needsRehash(await hashPassword('pw')), false);
    const weakPhc = phcOf('pw', { memory: 4096, passes: 3, parallelism: 1 });
    assert.equal(await verifyPassword('pw', weakPhc), true, 'old hashes keep working');
    assert.equal(needsRehash(weakPhc), true);
    assert.equal(needsRehash(weakPhc.replace('m=4096,t=3', 'm=19456,t=1')), true);
    assert.equal(needsRehash('garbage'), true);
    const strongerPhc = phcOf('pw', { memory: 65536, passes: 3, parallelism: 2 });
    assert.equal(await verifyPassword('pw', strongerPhc), true);
    assert.equal(needsRehash(strongerPhc), false, 'stronger than today is fine');
  });

  it('refuses to hash empty or over-long passwords, and verifies them as false without hashing', async () => {
    await assert.rejects(hashPassword(''), InvalidRequestError);
    await assert.rejects(hashPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1)), InvalidRequestError);
    const phc = await hashPassword('x'.repeat(MAX_PASSWORD_LENGTH));
    assert.equal(await verifyPassword('x'.repeat(MAX_PASSWORD_LENGTH), phc), true);
    assert.equal(await verifyPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1), phc), false);
  });

  it('dummyVerify spends a real argon2 computation and answers false', async () => {
    const started = performance.now();
    assert.equal(await dummyVerify('anything'), false);
    const elapsed = performance.now() - started;
    // Not a timing comparison (machines vary): only proof that 19 MiB of argon2id actually ran.
    assert.ok(elapsed > 5, `took ${elapsed} ms`);
  });

  it('hashes off the event loop: timers keep firing while several hashes run', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([hashPassword('a'), hashPassword('b'), hashPassword('c'), hashPassword('d')]);
    clearInterval(timer);
    assert.ok(ticks >= 3, `the loop ticked ${ticks} times`);
  });
});
