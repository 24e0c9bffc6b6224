import fc from 'fast-check';

import {
  BaseKeyShareCipher,
  DecryptionFailedError,
  isKeyShareCipherError,
  type EncryptionContext,
  type HealthStatus,
} from '../src';
import { describeKeyShareCipherConformance, sampleForeignCiphertexts } from '../src/conformance';
import { AesGcmTestCipher } from './aes-gcm-test-cipher';

const CONTEXT = { ewi: 'wallet-1' };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A provider whose hooks return whatever a test sets, to reach the base class's postconditions. */
class ScriptedCipher extends BaseKeyShareCipher {
  readonly name = 'scripted';
  readonly maxPlaintextBytes = 8;
  encryptResult: () => Promise<Uint8Array> = async () => Uint8Array.of(0x99, 1);
  decryptResult: () => Promise<Uint8Array> = async () => Uint8Array.of(1);

  recognizes(ciphertext: Uint8Array): boolean {
    return ciphertext[0] === 0x99;
  }

  async checkHealth(): Promise<HealthStatus> {
    return { healthy: true, provider: this.name, detail: '' };
  }

  protected async encryptBytes(): Promise<Uint8Array> {
    return this.encryptResult();
  }

  protected async decryptBytes(): Promise<Uint8Array> {
    return this.decryptResult();
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isKeyShareCipherError(error) ? error.code : `untyped: ${String(error)}`;
  }
}

describe('BaseKeyShareCipher encrypt', () => {
  const cipher = new ScriptedCipher();

  it.each([
    ['a string plaintext', 'text', 'INVALID_PLAINTEXT'],
    ['an array plaintext', [1, 2], 'INVALID_PLAINTEXT'],
    ['an empty plaintext', new Uint8Array(0), 'INVALID_PLAINTEXT'],
    ['an oversized plaintext', new Uint8Array(9), 'PLAINTEXT_TOO_LARGE'],
  ])('Precondition: rejects %s', async (_name, plaintext, code) => {
    expect(await codeOf(cipher.encrypt(plaintext as Uint8Array, CONTEXT))).toBe(code);
  });

  it('Precondition: rejects an invalid context', async () => {
    expect(await codeOf(cipher.encrypt(bytes('x'), { ewi: '' }))).toBe(
      'INVALID_ENCRYPTION_CONTEXT',
    );
  });

  it('accepts a Node.js Buffer', async () => {
    expect(await cipher.encrypt(Buffer.from('x'), CONTEXT)).toEqual(Uint8Array.of(0x99, 1));
  });

  it.each([
    ['an empty ciphertext', async () => new Uint8Array(0)],
    ['a ciphertext it does not recognise', async () => Uint8Array.of(1, 2)],
    ['a non-byte value', async () => 'text' as unknown as Uint8Array],
  ])('Postcondition: rejects %s from the provider', async (_name, result) => {
    const scripted = new ScriptedCipher();
    scripted.encryptResult = result;

    await expect(scripted.encrypt(bytes('x'), CONTEXT)).rejects.toThrow(
      'The scripted provider returned an invalid ciphertext.',
    );
  });

  it('wraps an untyped provider error with its cause', async () => {
    const scripted = new ScriptedCipher();
    const cause = new Error('driver crashed');
    scripted.encryptResult = async () => Promise.reject(cause);

    const error = await scripted.encrypt(bytes('x'), CONTEXT).catch((caught: unknown) => caught);

    expect(isKeyShareCipherError(error)).toBe(true);

    expect((error as { code?: unknown }).code).toBe('PROVIDER_FAILURE');
    expect((error as Error).message).toBe('The scripted provider failed unexpectedly.');
    expect((error as Error).cause).toBe(cause);
  });

  it('passes a typed provider error through', async () => {
    const scripted = new ScriptedCipher();
    const typed = new DecryptionFailedError();
    scripted.encryptResult = async () => Promise.reject(typed);

    await expect(scripted.encrypt(bytes('x'), CONTEXT)).rejects.toBe(typed);
  });
});

describe('BaseKeyShareCipher decrypt', () => {
  const cipher = new ScriptedCipher();

  it.each([
    ['a string ciphertext', 'AQID', 'MALFORMED_CIPHERTEXT'],
    ['an empty ciphertext', new Uint8Array(0), 'MALFORMED_CIPHERTEXT'],
    ['an unrecognised ciphertext', Uint8Array.of(1, 2), 'UNRECOGNIZED_CIPHERTEXT'],
  ])('Precondition: rejects %s', async (_name, ciphertext, code) => {
    expect(await codeOf(cipher.decrypt(ciphertext as Uint8Array, CONTEXT))).toBe(code);
  });

  it('Precondition: rejects an invalid context', async () => {
    expect(
      await codeOf(cipher.decrypt(Uint8Array.of(0x99), { ewi: 1 } as unknown as EncryptionContext)),
    ).toBe('INVALID_ENCRYPTION_CONTEXT');
  });

  it('Postcondition: rejects an empty plaintext from the provider', async () => {
    const scripted = new ScriptedCipher();
    scripted.decryptResult = async () => new Uint8Array(0);

    await expect(scripted.decrypt(Uint8Array.of(0x99), CONTEXT)).rejects.toThrow(
      'The scripted provider returned an invalid plaintext.',
    );
  });
});

describe('BaseKeyShareCipher with AES-GCM (properties)', () => {
  const cipher = new AesGcmTestCipher();
  const contextArbitrary = fc.record({ ewi: fc.string({ minLength: 1, maxLength: 30 }) });

  it('decrypt undoes encrypt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        contextArbitrary,
        async (plaintext, context) => {
          const ciphertext = await cipher.encrypt(plaintext, context);

          expect(await cipher.decrypt(ciphertext, context)).toEqual(plaintext);
        },
      ),
    );
  });

  it('rejects any flipped byte', async () => {
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: ciphertext.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, mask) => {
          const tampered = Uint8Array.from(ciphertext);
          tampered[index]! ^= mask;

          expect([
            'MALFORMED_CIPHERTEXT',
            'UNRECOGNIZED_CIPHERTEXT',
            'DECRYPTION_FAILED',
          ]).toContain(await codeOf(cipher.decrypt(tampered, CONTEXT)));
        },
      ),
    );
  });

  it('never mutates its input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (plaintext) => {
        const copy = Uint8Array.from(plaintext);
        const ciphertext = await cipher.encrypt(plaintext, CONTEXT);
        const ciphertextCopy = Uint8Array.from(ciphertext);
        await cipher.decrypt(ciphertext, CONTEXT);

        expect(plaintext).toEqual(copy);
        expect(ciphertext).toEqual(ciphertextCopy);
      }),
    );
  });
});

describeKeyShareCipherConformance('AesGcmTestCipher', {
  create: () => new AesGcmTestCipher(),
  foreignCiphertexts: () => {
    const samples = sampleForeignCiphertexts();

    return [samples.awsKmsBlob, samples.encryptionSdk, samples.splitKms(1), samples.splitKms(2)];
  },
});
