import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isKeyShareCipherError } from '@split-kms/core';
import fc from 'fast-check';

import { postJson } from '../../api-lambda/test/support/service';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { expectDocumentedOutcome } from './support/outcomes';
import {
  IN_PROCESS_HSM_SETTINGS,
  startProviderFixture,
  type ProviderFixture,
  type ProviderKind,
} from './support/providers';
import { sentinelPlaintext } from './support/secret-ledger';

/*
 * Arbitrary bytes at every decrypt path, through the handler and at the
 * composed cipher: random bytes, and valid ciphertexts with a byte changed,
 * cut short, extended, or with a random tail after a real header. A decrypt
 * either returns the original plaintext or is rejected as INVALID_CIPHERTEXT
 * or DECRYPTION_FAILED (400); nothing else, and never an untyped error.
 */

const WALLET = 'wallet-fuzz-decrypt';
const REJECTED = ['INVALID_CIPHERTEXT', 'DECRYPTION_FAILED'];
const REJECTED_CORE_CODES = [
  'MALFORMED_CIPHERTEXT',
  'UNRECOGNIZED_CIPHERTEXT',
  'DECRYPTION_FAILED',
];

/** Runs per property: fewer where every decrypt is a call to moto. */
const RUNS: Record<ProviderKind, number> = {
  software: 300,
  pkcs11: 200,
  'pkcs11-in-process': 200,
  'aws-kms-direct': 100,
  'aws-kms-envelope': 100,
};

interface Sample {
  readonly plaintext: string;
  readonly ciphertext: Buffer;
}

type Mutation =
  | { readonly kind: 'flip'; readonly index: number; readonly mask: number }
  | { readonly kind: 'truncate'; readonly length: number }
  | { readonly kind: 'extend'; readonly tail: Uint8Array }
  | { readonly kind: 'splice'; readonly length: number; readonly tail: Uint8Array };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    index: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), length: fc.nat() }),
  fc.record({
    kind: fc.constant('extend' as const),
    tail: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant('splice' as const),
    length: fc.nat(),
    tail: fc.uint8Array({ maxLength: 200 }),
  }),
);

function mutate(ciphertext: Buffer, mutation: Mutation): Buffer {
  switch (mutation.kind) {
    case 'flip': {
      const copy = Buffer.from(ciphertext);
      const index = mutation.index % copy.length;
      copy[index] = copy[index]! ^ mutation.mask;
      return copy;
    }
    case 'truncate':
      return ciphertext.subarray(0, mutation.length % ciphertext.length);
    case 'extend':
      return Buffer.concat([ciphertext, mutation.tail]);
    case 'splice':
      return Buffer.concat([
        ciphertext.subarray(0, mutation.length % ciphertext.length),
        mutation.tail,
      ]);
  }
}

const fixtures = new Map<ProviderKind, ProviderFixture>();
const apis = new Map<ProviderKind, ApiUnderTest>();

beforeAll(async () => {
  // The SoftHSM2 token comes first: creating a token finalizes the library.
  const hsm = await startProviderFixture('pkcs11');
  fixtures.set('pkcs11', hsm);
  fixtures.set('pkcs11-in-process', {
    ...hsm,
    kind: 'pkcs11-in-process',
    env: { ...hsm.env, ...IN_PROCESS_HSM_SETTINGS },
  });
  fixtures.set('software', await startProviderFixture('software'));
  const kms = await startProviderFixture('aws-kms-direct');
  fixtures.set('aws-kms-direct', kms);
  fixtures.set('aws-kms-envelope', { ...kms, kind: 'aws-kms-envelope' });

  for (const [kind, fixture] of fixtures) {
    const env = kind === 'aws-kms-envelope' ? { KMS_MODE: 'envelope' } : {};
    apis.set(kind, await startApiUnderTest({ provider: fixture, env }));
  }
}, 120_000);

afterAll(async () => {
  for (const api of apis.values()) {
    await api.close();
  }
  await fixtures.get('pkcs11')?.close();
  await fixtures.get('software')?.close();
  await fixtures.get('aws-kms-direct')?.close();
}, 60_000);

describe.each(Object.keys(RUNS) as ProviderKind[])('decrypt fuzzing: %s', (kind) => {
  let api: ApiUnderTest;
  let token: string;
  let sample: Sample;

  beforeAll(async () => {
    api = apis.get(kind)!;
    token = await api.mintToken(WALLET);
    const plaintext = sentinelPlaintext(kind);
    api.ledger.add('plaintext', plaintext);
    const response = await api.handle(postJson('/encrypt', { plaintext }, token));
    const ciphertext = expectDocumentedOutcome(response).data['ciphertext'] as string;
    api.ledger.add('ciphertext', ciphertext);
    sample = { plaintext, ciphertext: Buffer.from(ciphertext, 'base64') };
  });

  async function expectDecryptOutcome(bytes: Buffer): Promise<void> {
    const ciphertext = bytes.toString('base64');
    const response = await api.handle(postJson('/decrypt', { ciphertext }, token));
    const envelope = expectDocumentedOutcome(response);

    if (response.statusCode === 200) {
      expect(envelope.data['plaintext']).toBe(sample.plaintext);
    } else {
      expect(REJECTED).toContain(envelope.error_code);
    }
  }

  it('rejects random bytes through the handler', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) =>
        expectDecryptOutcome(Buffer.from(bytes)),
      ),
      { numRuns: RUNS[kind] },
    );
  });

  it('rejects altered ciphertexts through the handler', async () => {
    await fc.assert(
      fc.asyncProperty(mutationArbitrary, async (mutation) =>
        expectDecryptOutcome(mutate(sample.ciphertext, mutation)),
      ),
      { numRuns: RUNS[kind] },
    );
  });

  it('rejects altered ciphertexts at the cipher with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
          mutationArbitrary.map((mutation) => mutate(sample.ciphertext, mutation)),
        ),
        async (bytes) => {
          const outcome = await api.cipher.decrypt(bytes, { ewi: WALLET }).then(
            (plaintext) => Buffer.from(plaintext).toString(),
            (error: unknown) => error,
          );

          if (typeof outcome === 'string') {
            expect(outcome).toBe(sample.plaintext);
          } else {
            expect(isKeyShareCipherError(outcome)).toBe(true);
            expect(REJECTED_CORE_CODES).toContain((outcome as { code: string }).code);
          }
        },
      ),
      { numRuns: RUNS[kind] },
    );
  });

  it('logs no token, plaintext, ciphertext or key secret', () => {
    expect(api.ledger.findLeaks(api.logLines)).toEqual([]);
  });
});
