import { createDecipheriv } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';
import * as pkcs11js from 'pkcs11js';

import {
  isKeyShareCipherError,
  parseCiphertext,
  type KeyShareCipherErrorCode,
} from '@split-kms/core';
import {
  describeKeyShareCipherConformance,
  sampleForeignCiphertexts,
} from '@split-kms/core/conformance';

import { cloudHsmMaxPlaintextBytes, Pkcs11KeyShareCipher, type Pkcs11IvMode } from '../src';
import { FakeCloudHsm } from './fake-cloudhsm';
import { connect, createTokenWithKey, importKey } from './token-fixture';

// These tests run the CloudHSM code paths against a fake of the pkcs11js
// interface, because SoftHSM2 uses the caller's IV and has no vendor mechanism.
const CONTEXT = { ewi: 'wallet-cloudhsm' };
const softHsm = createTokenWithKey('unused');

async function connectFake(
  fake: FakeCloudHsm,
  ivMode: Pkcs11IvMode,
  extra: object = {},
): Promise<Pkcs11KeyShareCipher> {
  const load = (): FakeCloudHsm => fake;

  return Pkcs11KeyShareCipher.connect({
    libraryPath: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
    tokenLabel: FakeCloudHsm.TOKEN_LABEL,
    pin: FakeCloudHsm.PIN,
    keyLabel: 'cloudhsm-key',
    ivMode,
    loadLibrary: load,
    ...extra,
  });
}

async function failureCode(
  promise: Promise<unknown>,
): Promise<KeyShareCipherErrorCode | undefined> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );

  return isKeyShareCipherError(outcome) ? outcome.code : undefined;
}

for (const ivMode of ['hsm-generated', 'hsm-prepended'] as const) {
  describeKeyShareCipherConformance(
    `Pkcs11KeyShareCipher with ivMode ${ivMode} on a CloudHSM fake`,
    {
      create: async () => connectFake(new FakeCloudHsm('cloudhsm-key'), ivMode),
      foreignCiphertexts: () => [
        sampleForeignCiphertexts().awsKmsBlob,
        sampleForeignCiphertexts().encryptionSdk,
      ],
    },
  );
}

describe('sessionKeyCopies on a library without C_CopyObject', () => {
  it('fails at connect with KEY_UNUSABLE', async () => {
    const error = await connectFake(new FakeCloudHsm('cloudhsm-key'), 'hsm-generated', {
      sessionKeyCopies: true,
    }).catch((caught: unknown) => caught);

    expect(isKeyShareCipherError(error)).toBe(true);
    expect((error as { code?: unknown }).code).toBe('KEY_UNUSABLE');
    expect((error as Error).message).toMatch(
      /^HSM key "cloudhsm-key" version 1 could not be copied into a session object \(CKR_FUNCTION_NOT_SUPPORTED\)\./u,
    );
  });
});

describe('callMode', () => {
  it.each([
    ['async', ['C_EncryptAsync', 'C_DecryptAsync']],
    ['sync', ['C_Encrypt', 'C_Decrypt']],
  ] as const)('%s makes the data calls %j', async (callMode, expected) => {
    const fake = new FakeCloudHsm('cloudhsm-key');
    const cipher = await connectFake(fake, 'hsm-generated', { callMode });

    const ciphertext = await cipher.encrypt(Buffer.from('cloud share'), CONTEXT);
    const plaintext = await cipher.decrypt(ciphertext, CONTEXT);

    expect(Buffer.from(plaintext).toString()).toBe('cloud share');
    expect(fake.dataCalls).toEqual(expected);
    await cipher.close();
  });

  it.each([
    ['async', pkcs11js.CKR_DEVICE_ERROR, 'PROVIDER_UNAVAILABLE'],
    ['sync', pkcs11js.CKR_DEVICE_ERROR, 'PROVIDER_UNAVAILABLE'],
    ['async', pkcs11js.CKR_BUFFER_TOO_SMALL, 'PROVIDER_FAILURE'],
    ['sync', pkcs11js.CKR_BUFFER_TOO_SMALL, 'PROVIDER_FAILURE'],
  ] as const)(
    '%s maps failing data call %i to %s, then recovers',
    async (callMode, code, expected) => {
      const fake = new FakeCloudHsm('cloudhsm-key');
      const cipher = await connectFake(fake, 'hsm-generated', { callMode });
      fake.failNextData.push(code);

      expect(await failureCode(cipher.encrypt(Buffer.from('cloud share'), CONTEXT))).toBe(expected);
      const ciphertext = await cipher.encrypt(Buffer.from('cloud share'), CONTEXT);
      expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT)).toString()).toBe('cloud share');
      await cipher.close();
    },
  );
});

describe.each(['hsm-generated', 'hsm-prepended'] as const)('ivMode %s', (ivMode) => {
  it('puts the HSM IV after a zeroed header IV', async () => {
    const fake = new FakeCloudHsm('cloudhsm-key');
    const cipher = await connectFake(fake, ivMode);

    const ciphertext = await cipher.encrypt(Buffer.from('cloud share'), CONTEXT);
    const { header, headerBytes, payload } = parseCiphertext(ciphertext);

    expect(Buffer.from(header.iv)).toEqual(Buffer.alloc(12));
    expect(Buffer.from(payload.subarray(0, 12))).toEqual(fake.generatedIvs[0]);

    const decipher = createDecipheriv('aes-256-gcm', fake.keyBytes, payload.subarray(0, 12));
    decipher.setAAD(
      Buffer.concat([
        headerBytes,
        Buffer.from([0, 1, 0, 3]),
        Buffer.from('ewi'),
        Buffer.from([0, CONTEXT.ewi.length]),
        Buffer.from(CONTEXT.ewi),
      ]),
    );
    decipher.setAuthTag(payload.subarray(payload.length - 16));
    expect(
      Buffer.concat([
        decipher.update(payload.subarray(12, payload.length - 16)),
        decipher.final(),
      ]).toString(),
    ).toBe('cloud share');
    await cipher.close();
  });

  it('decrypts its output on SoftHSM2 with the same key', async () => {
    const fake = new FakeCloudHsm('cloudhsm-key');
    importKey(softHsm, 'cloudhsm-key', fake.keyBytes);
    const cloud = await connectFake(fake, ivMode);
    const soft = await connect(softHsm, { keyLabel: 'cloudhsm-key' });

    try {
      const ciphertext = await cloud.encrypt(Buffer.from('moves between HSMs'), CONTEXT);

      expect(Buffer.from(await soft.decrypt(ciphertext, CONTEXT)).toString()).toBe(
        'moves between HSMs',
      );
      const back = await soft.encrypt(Buffer.from('and back'), CONTEXT);
      expect(Buffer.from(await cloud.decrypt(back, CONTEXT)).toString()).toBe('and back');
    } finally {
      await cloud.close();
      await soft.close();
      removeKey('cloudhsm-key');
    }
  });

  it('accepts plaintexts up to the 16 KB buffer limit only', async () => {
    const cipher = await connectFake(new FakeCloudHsm('cloudhsm-key'), ivMode, {
      maxPlaintextBytes: cloudHsmMaxPlaintextBytes(),
    });

    const largest = Buffer.alloc(cloudHsmMaxPlaintextBytes(), 7);
    const ciphertext = await cipher.encrypt(largest, CONTEXT);
    expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT))).toEqual(largest);

    expect(
      await failureCode(cipher.encrypt(Buffer.alloc(cloudHsmMaxPlaintextBytes() + 1), CONTEXT)),
    ).toBe('PLAINTEXT_TOO_LARGE');
    const oversized = Buffer.concat([ciphertext, Buffer.alloc(64)]);
    expect(await failureCode(cipher.decrypt(oversized, CONTEXT))).toBe('MALFORMED_CIPHERTEXT');
    await cipher.close();
  });
});

describe('Pkcs11KeyShareCipher faults on a CloudHSM fake', () => {
  it.each([
    ['CKR_TOKEN_NOT_PRESENT', pkcs11js.CKR_TOKEN_NOT_PRESENT],
    ['CKR_DEVICE_REMOVED', pkcs11js.CKR_DEVICE_REMOVED],
  ])('recovers when the token is removed and comes back (%s)', async (_name, code) => {
    const fake = new FakeCloudHsm('cloudhsm-key');
    const cipher = await connectFake(fake, 'hsm-generated');
    const before = await cipher.encrypt(Buffer.from('before'), CONTEXT);

    fake.removeToken(code);
    expect(await failureCode(cipher.encrypt(Buffer.from('during'), CONTEXT))).toBe(
      'PROVIDER_UNAVAILABLE',
    );
    expect(await failureCode(cipher.decrypt(before, CONTEXT))).toBe('PROVIDER_UNAVAILABLE');
    expect((await cipher.checkHealth()).healthy).toBe(false);

    fake.insertToken();
    expect(Buffer.from(await cipher.decrypt(before, CONTEXT)).toString()).toBe('before');
    expect((await cipher.checkHealth()).healthy).toBe(true);
    await cipher.close();
  });

  it.each([
    ['CKR_SESSION_CLOSED', pkcs11js.CKR_SESSION_CLOSED],
    ['CKR_USER_NOT_LOGGED_IN', pkcs11js.CKR_USER_NOT_LOGGED_IN],
    ['CKR_SESSION_HANDLE_INVALID', pkcs11js.CKR_SESSION_HANDLE_INVALID],
  ])('fails once with PROVIDER_UNAVAILABLE, then recovers (%s)', async (_name, code) => {
    const fake = new FakeCloudHsm('cloudhsm-key');
    const cipher = await connectFake(fake, 'hsm-prepended');

    fake.failNextData.push(code);
    expect(await failureCode(cipher.encrypt(Buffer.from('share'), CONTEXT))).toBe(
      'PROVIDER_UNAVAILABLE',
    );

    const ciphertext = await cipher.encrypt(Buffer.from('share'), CONTEXT);
    expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT)).toString()).toBe('share');
    await cipher.close();
  });

  it('closes a session left active', async () => {
    const fake = new FakeCloudHsm('cloudhsm-key');
    const cipher = await connectFake(fake, 'hsm-generated', { poolSize: 1 });
    await cipher.encrypt(Buffer.from('warm up'), CONTEXT);

    fake.failNextData.push(pkcs11js.CKR_BUFFER_TOO_SMALL);
    fake.failNextClose.push(pkcs11js.CKR_DEVICE_ERROR);
    const error = await cipher
      .encrypt(Buffer.from('share'), CONTEXT)
      .catch((caught: unknown) => caught);

    expect(isKeyShareCipherError(error)).toBe(true);
    expect((error as { code?: unknown }).code).toBe('PROVIDER_FAILURE');
    const cause = (error as Error).cause as AggregateError;
    expect(cause).toBeInstanceOf(AggregateError);
    expect(cause.errors.map((inner: Error) => inner.message)).toEqual([
      'CKR_BUFFER_TOO_SMALL',
      'CKR_DEVICE_ERROR',
    ]);

    // With one session in the pool, reusing the old session would fail with CKR_OPERATION_ACTIVE.
    const ciphertext = await cipher.encrypt(Buffer.from('next'), CONTEXT);
    expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT)).toString()).toBe('next');
    await cipher.close();
  });

  it('rejects a wrong CloudHSM PIN at start-up', async () => {
    const fake = new FakeCloudHsm('cloudhsm-key');

    expect(
      await failureCode(connectFake(fake, 'hsm-generated', { pin: 'crypto_user:wrong' })),
    ).toBe('KEY_ACCESS_DENIED');
  });
});

function removeKey(label: string): void {
  const admin = softHsm.admin();
  const library = admin.library as pkcs11js.PKCS11;
  try {
    library.C_FindObjectsInit(admin.session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
    const handles = library.C_FindObjects(admin.session, 10);
    library.C_FindObjectsFinal(admin.session);
    for (const handle of handles) {
      library.C_DestroyObject(admin.session, handle);
    }
  } finally {
    admin.close();
  }
}
