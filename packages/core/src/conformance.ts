import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { KeyShareCipher } from './cipher';
import type { EncryptionContext } from './context';
import {
  DECRYPT_INPUT_ERROR_CODES,
  isKeyShareCipherError,
  type KeyShareCipherErrorCode,
} from './errors';
import { CiphertextProviderId, HEADER_MAGIC, HEADER_VERSION } from './header';

/** Options of `describeKeyShareCipherConformance`. */
export interface ConformanceOptions {
  /** Creates the cipher under test. Called once, before the first test. */
  readonly create: () => Promise<KeyShareCipher> | KeyShareCipher;
  /** Releases what `create` made. Defaults to calling `close()` on the cipher. */
  readonly dispose?: (cipher: KeyShareCipher) => Promise<void>;
  /** Ciphertexts of other providers or formats that this cipher must not recognise. */
  readonly foreignCiphertexts: () => Promise<readonly Uint8Array[]> | readonly Uint8Array[];
  /**
   * Run the single-bit-flip test on every bit of a ciphertext of this many
   * plaintext bytes. Every bit is flipped, so keep it small for remote providers.
   * @default 16
   */
  readonly bitFlipPlaintextBytes?: number;
  /** Number of operations started at once in the concurrency test. @default 64 */
  readonly concurrency?: number;
  /** Timeout of each test in milliseconds. @default 120000 */
  readonly timeoutMs?: number;
}

const CONTEXT: EncryptionContext = Object.freeze({ ewi: 'wallet-conformance-a' });
const OTHER_WALLET: EncryptionContext = Object.freeze({ ewi: 'wallet-conformance-b' });

const UNICODE_SAMPLES = [
  'plain ASCII share',
  'éàüß ñ ç',
  '鍵の共有 🔑 秘密',
  '👩‍👩‍👧‍👦 family emoji',
  'مفتاح المحفظة',
  'e\u0301 combining accent',
  'NUL \u0000 inside',
];

/**
 * Runs the behaviour every `KeyShareCipher` must have as a jest `describe`
 * block: round trips, fresh ciphertexts, context binding, tamper and
 * truncation detection, format recognition, input checks and concurrency.
 *
 * @example
 * describeKeyShareCipherConformance('my HSM provider', {
 *   create: async () => MyCipher.connect(options),
 *   foreignCiphertexts: () => [sampleForeignCiphertexts().encryptionSdk],
 * });
 */
export function describeKeyShareCipherConformance(name: string, options: ConformanceOptions): void {
  const timeout = options.timeoutMs ?? 120_000;

  describe(`${name} conformance`, () => {
    let cipher: KeyShareCipher;

    beforeAll(async () => {
      cipher = await options.create();
    }, timeout);

    afterAll(async () => {
      if (cipher === undefined) {
        return;
      }
      await (options.dispose ? options.dispose(cipher) : cipher.close?.());
    }, timeout);

    it(
      'round trips plaintexts of many sizes',
      async () => {
        for (const size of plaintextSizes(cipher.maxPlaintextBytes)) {
          const plaintext = new Uint8Array(randomBytes(size));

          const ciphertext = await cipher.encrypt(plaintext, CONTEXT);

          expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT))).toEqual(
            Buffer.from(plaintext),
          );
        }
      },
      timeout,
    );

    it(
      'round trips Unicode text as UTF-8',
      async () => {
        for (const text of UNICODE_SAMPLES) {
          const ciphertext = await cipher.encrypt(new TextEncoder().encode(text), CONTEXT);

          expect(new TextDecoder().decode(await cipher.decrypt(ciphertext, CONTEXT))).toBe(text);
        }
      },
      timeout,
    );

    it(
      'round trips a Unicode context',
      async () => {
        const context = { ewi: 'portefeuille-é-🔑', tenant: '租户' };
        const ciphertext = await cipher.encrypt(bytes('share'), context);

        expect(text(await cipher.decrypt(ciphertext, context))).toBe('share');
      },
      timeout,
    );

    it(
      'makes a fresh ciphertext each time',
      async () => {
        const plaintext = bytes('same share');

        const first = await cipher.encrypt(plaintext, CONTEXT);
        const second = await cipher.encrypt(plaintext, CONTEXT);

        expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
      },
      timeout,
    );

    it(
      'leaves its inputs unchanged',
      async () => {
        const plaintext = bytes('do not touch');
        const plaintextCopy = Buffer.from(plaintext);

        const ciphertext = await cipher.encrypt(plaintext, CONTEXT);
        const ciphertextCopy = Buffer.from(ciphertext);
        await cipher.decrypt(ciphertext, CONTEXT);

        expect(Buffer.from(plaintext)).toEqual(plaintextCopy);
        expect(Buffer.from(ciphertext)).toEqual(ciphertextCopy);
      },
      timeout,
    );

    it(
      'rejects another wallet context',
      async () => {
        const ciphertext = await cipher.encrypt(bytes('bound share'), CONTEXT);

        await expectCode(cipher.decrypt(ciphertext, OTHER_WALLET), ['DECRYPTION_FAILED']);
      },
      timeout,
    );

    it(
      'rejects an extra or missing context entry',
      async () => {
        const ciphertext = await cipher.encrypt(bytes('bound share'), {
          ...CONTEXT,
          purpose: 'device',
        });

        await expectCode(cipher.decrypt(ciphertext, CONTEXT), ['DECRYPTION_FAILED']);
        await expectCode(
          cipher.decrypt(ciphertext, { ...CONTEXT, purpose: 'device', extra: 'x' }),
          ['DECRYPTION_FAILED'],
        );
      },
      timeout,
    );

    it(
      'rejects every single-bit flip',
      async () => {
        const plaintext = new Uint8Array(randomBytes(options.bitFlipPlaintextBytes ?? 16));
        const ciphertext = await cipher.encrypt(plaintext, CONTEXT);

        for (let bit = 0; bit < ciphertext.length * 8; bit += 1) {
          const flipped = Uint8Array.from(ciphertext);
          flipped[bit >> 3]! ^= 1 << (bit & 7);

          await expectCode(
            cipher.decrypt(flipped, CONTEXT),
            DECRYPT_INPUT_ERROR_CODES,
            `bit ${bit}`,
          );
        }
      },
      timeout,
    );

    it(
      'rejects every truncation',
      async () => {
        const ciphertext = await cipher.encrypt(bytes('truncate me'), CONTEXT);

        for (let length = 0; length < ciphertext.length; length += 1) {
          const truncated = ciphertext.slice(0, length);

          await expectCode(
            cipher.decrypt(truncated, CONTEXT),
            DECRYPT_INPUT_ERROR_CODES,
            `length ${length}`,
          );
        }
      },
      timeout,
    );

    it(
      'recognises its own ciphertexts only',
      async () => {
        const own = await cipher.encrypt(bytes('mine'), CONTEXT);

        expect(cipher.recognizes(own)).toBe(true);
        for (const foreign of await options.foreignCiphertexts()) {
          expect(cipher.recognizes(foreign)).toBe(false);
          await expectCode(cipher.decrypt(foreign, CONTEXT), DECRYPT_INPUT_ERROR_CODES);
        }
      },
      timeout,
    );

    it(
      'rejects empty and oversized plaintexts',
      async () => {
        await expectCode(cipher.encrypt(new Uint8Array(0), CONTEXT), ['INVALID_PLAINTEXT']);
        await expectCode(cipher.encrypt(new Uint8Array(cipher.maxPlaintextBytes + 1), CONTEXT), [
          'PLAINTEXT_TOO_LARGE',
        ]);
      },
      timeout,
    );

    it(
      'rejects invalid contexts',
      async () => {
        const invalid: unknown[] = [
          {},
          { ewi: '' },
          { ewi: 7 },
          null,
          'ewi',
          { 'aws-crypto-public-key': 'x' },
        ];

        for (const context of invalid) {
          await expectCode(cipher.encrypt(bytes('share'), context as EncryptionContext), [
            'INVALID_ENCRYPTION_CONTEXT',
          ]);
        }
      },
      timeout,
    );

    it(
      'handles concurrent operations',
      async () => {
        const count = options.concurrency ?? 64;
        const plaintexts = Array.from({ length: count }, (_, index) => bytes(`share-${index}`));
        const contexts = plaintexts.map((_, index) => ({ ewi: `wallet-${index}` }));

        const ciphertexts = await Promise.all(
          plaintexts.map(async (plaintext, index) => cipher.encrypt(plaintext, contexts[index]!)),
        );
        const decrypted = await Promise.all(
          ciphertexts.map(async (ciphertext, index) =>
            cipher.decrypt(ciphertext, contexts[index]!),
          ),
        );

        expect(decrypted.map(text)).toEqual(plaintexts.map(text));
      },
      timeout,
    );

    it(
      'reports itself healthy',
      async () => {
        const health = await cipher.checkHealth();

        expect(health.healthy).toBe(true);
        expect(health.provider).toBe(cipher.name);
      },
      timeout,
    );
  });
}

/** Sample ciphertexts of each known format, for `foreignCiphertexts`. */
export function sampleForeignCiphertexts(): {
  readonly splitKms: (providerId: number) => Uint8Array;
  readonly encryptionSdk: Uint8Array;
  readonly awsKmsBlob: Uint8Array;
} {
  return {
    splitKms: (providerId) =>
      Uint8Array.from([
        ...HEADER_MAGIC,
        HEADER_VERSION,
        providerId,
        1,
        1,
        0x6b,
        0,
        0,
        0,
        1,
        12,
        ...randomBytes(40),
      ]),
    encryptionSdk: Uint8Array.from([0x02, 0x04, 0x78, ...randomBytes(80)]),
    awsKmsBlob: Uint8Array.from([0x01, 0x02, 0x02, 0x00, 0x78, ...randomBytes(180)]),
  };
}

/** Provider ids known to this release, to build foreign samples from. */
export const KNOWN_PROVIDER_IDS: readonly number[] = Object.values(CiphertextProviderId);

function plaintextSizes(max: number): number[] {
  const sizes = [1, 2, 15, 16, 17, 31, 32, 33, 64, 100, 255, 256, 1000, 1024, 4096, max];

  return [...new Set(sizes.filter((size) => size <= max))];
}

function bytes(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function text(value: Uint8Array): string {
  return new TextDecoder().decode(value);
}

async function expectCode(
  promise: Promise<unknown>,
  codes: readonly KeyShareCipherErrorCode[],
  label = 'operation',
): Promise<void> {
  let outcome: unknown = 'resolved without an error';
  try {
    await promise;
  } catch (error) {
    outcome = error;
  }

  const code = isKeyShareCipherError(outcome) ? outcome.code : undefined;
  if (code === undefined || !codes.includes(code)) {
    throw new Error(
      `${label}: expected a KeyShareCipherError with code ${codes.join(' or ')}, got ${String(outcome)}`,
    );
  }
  expect(codes).toContain(code);
}
