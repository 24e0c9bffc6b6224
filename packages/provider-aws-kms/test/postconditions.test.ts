import type { KMS } from '@aws-sdk/client-kms';
import { describe, expect, it } from '@jest/globals';

import { DirectKmsKeyShareCipher } from '../src';
import { bytes } from './moto-fixture';

/*
 * KMS (and moto) always reports the key it used, so these checks cannot fail
 * against a real service. A plain object replaces the KMS client to
 * return the response that would make them fail.
 */

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const OTHER_ARN = 'arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555';
const CONTEXT = { ewi: 'wallet-postcondition' };
const BLOB = Uint8Array.from([0x01, 0x02, 0x02, 0x00, 0x78, 1, 2, 3, 4, 5, 6, 7, 8]);

function cipherWithKmsResponse(keyId: string, plaintext: Uint8Array): DirectKmsKeyShareCipher {
  const client = {
    describeKey: async () => ({}),
    encrypt: async () => ({ KeyId: keyId, CiphertextBlob: BLOB }),
    decrypt: async () => ({ KeyId: keyId, Plaintext: plaintext }),
  } as unknown as KMS;

  return new DirectKmsKeyShareCipher({ client, keyArn: KEY_ARN });
}

describe('DirectKmsKeyShareCipher postconditions', () => {
  it('KMS encrypted under the configured key', async () => {
    const cipher = cipherWithKmsResponse(OTHER_ARN, bytes('unused'));

    await expect(cipher.encrypt(bytes('share'), CONTEXT)).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
      message: `KMS Encrypt with key ${KEY_ARN} returned another key or no ciphertext.`,
    });
  });

  it('KMS decrypted with the key that was named', async () => {
    const plaintext = bytes('share');
    const cipher = cipherWithKmsResponse(OTHER_ARN, plaintext);

    await expect(cipher.decrypt(BLOB, CONTEXT)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
    expect(Array.from(plaintext)).toEqual([0, 0, 0, 0, 0]);
  });

  it('returns the plaintext when the keys match', async () => {
    const cipher = cipherWithKmsResponse(KEY_ARN, bytes('share'));

    expect(Buffer.from(await cipher.decrypt(BLOB, CONTEXT)).toString()).toBe('share');
  });
});

describe('DirectKmsKeyShareCipher constructor', () => {
  it('rejects a key alias in place of an ARN', () => {
    const client = { describeKey: async () => ({}) } as unknown as KMS;

    expect(() => new DirectKmsKeyShareCipher({ client, keyArn: 'alias/not-an-arn' })).toThrow(
      '"keyArn" and "decryptKeyArns" options must be key ARNs. Resolve "alias/not-an-arn" with resolveKeyArn first.',
    );
  });

  it('rejects a missing client', () => {
    expect(
      () => new DirectKmsKeyShareCipher({ client: undefined as unknown as KMS, keyArn: KEY_ARN }),
    ).toThrow('"client" option must be a KMS client from @aws-sdk/client-kms.');
  });
});
