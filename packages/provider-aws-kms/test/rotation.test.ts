import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { AwsKmsMode } from '../src';
import { bytes, startMotoFixture, text, type MotoFixture } from './moto-fixture';

const CONTEXT = { ewi: 'wallet-rotation' };
const MODES: readonly AwsKmsMode[] = ['direct', 'envelope'];

let fixture: MotoFixture;

beforeAll(async () => {
  fixture = await startMotoFixture();
}, 60_000);

afterAll(async () => fixture?.close(), 30_000);

describe.each(MODES)('%s mode key rotation', (mode) => {
  it('decrypts old ciphertexts with the old key decrypt-only', async () => {
    const firstKey = await fixture.createKey();
    const secondKey = await fixture.createKey();
    const before = await fixture.createCipher({ keyId: firstKey.arn, mode });
    const oldCiphertext = await before.encrypt(bytes('old share'), CONTEXT);

    const after = await fixture.createCipher({
      keyId: secondKey.keyId,
      decryptKeyIds: [firstKey.keyId],
      mode,
    });
    const newCiphertext = await after.encrypt(bytes('new share'), CONTEXT);

    expect(after.keyArn).toBe(secondKey.arn);
    expect(text(await after.decrypt(oldCiphertext, CONTEXT))).toBe('old share');
    expect(text(await after.decrypt(newCiphertext, CONTEXT))).toBe('new share');
  });

  it('encrypts new ciphertexts under the new key only', async () => {
    const firstKey = await fixture.createKey();
    const secondKey = await fixture.createKey();
    const after = await fixture.createCipher({
      keyId: secondKey.arn,
      decryptKeyIds: [firstKey.arn],
      mode,
    });
    const newCiphertext = await after.encrypt(bytes('new share'), CONTEXT);

    const secondOnly = await fixture.createCipher({ keyId: secondKey.arn, mode });
    const firstOnly = await fixture.createCipher({ keyId: firstKey.arn, mode });

    expect(text(await secondOnly.decrypt(newCiphertext, CONTEXT))).toBe('new share');
    await expect(firstOnly.decrypt(newCiphertext, CONTEXT)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });

  it('still rejects the wrong context under the old key', async () => {
    const firstKey = await fixture.createKey();
    const secondKey = await fixture.createKey();
    const before = await fixture.createCipher({ keyId: firstKey.arn, mode });
    const oldCiphertext = await before.encrypt(bytes('old share'), CONTEXT);
    const after = await fixture.createCipher({
      keyId: secondKey.arn,
      decryptKeyIds: [firstKey.arn],
      mode,
    });

    await expect(after.decrypt(oldCiphertext, { ewi: 'another-wallet' })).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });

  it('rejects old ciphertexts once the old key is dropped', async () => {
    const firstKey = await fixture.createKey();
    const secondKey = await fixture.createKey();
    const before = await fixture.createCipher({ keyId: firstKey.arn, mode });
    const oldCiphertext = await before.encrypt(bytes('old share'), CONTEXT);
    const after = await fixture.createCipher({ keyId: secondKey.arn, mode });

    await expect(after.decrypt(oldCiphertext, CONTEXT)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });
});
