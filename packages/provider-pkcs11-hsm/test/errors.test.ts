import { inspect } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as pkcs11js from 'pkcs11js';

import { isKeyShareCipherError, type KeyShareCipherErrorCode } from '@split-kms/core';

import { encodeKeyVersionId, Pkcs11KeyShareCipher } from '../src';
import { findSecretKeys } from '../src/key-directory';
import { slotIdOf } from '../src/slot';
import { connect, createTokenWithKey } from './token-fixture';

const CONTEXT = { ewi: 'wallet-errors' };

async function codeOf(
  promise: Promise<unknown>,
): Promise<{ code: KeyShareCipherErrorCode; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isKeyShareCipherError(error)) {
      return { code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('Expected a KeyShareCipherError, but the call succeeded.');
}

const fixture = createTokenWithKey('errors');

beforeAll(() => {
  const admin = fixture.admin();
  try {
    // A key that may decrypt but not encrypt, with a valid version id.
    admin.library.C_GenerateKey(admin.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_LABEL, value: 'decrypt-only' },
      { type: pkcs11js.CKA_ID, value: encodeKeyVersionId(1) },
      { type: pkcs11js.CKA_ENCRYPT, value: false },
      { type: pkcs11js.CKA_DECRYPT, value: true },
    ]);
  } finally {
    admin.close();
  }
});

describe('Pkcs11KeyShareCipher.connect', () => {
  it('rejects a wrong PIN without echoing it', async () => {
    const error = await codeOf(connect(fixture, { pin: 'wrong-pin-1234' }));

    expect(error.code).toBe('KEY_ACCESS_DENIED');
    expect(error.message).toMatch(/PIN is incorrect/u);
    expect(error.message).not.toContain('wrong-pin-1234');
  });

  it('keeps the PIN out of the error cause chain', async () => {
    const error = await connect(fixture, { pin: 'wrong-pin-5678' }).catch(
      (caught: unknown) => caught,
    );
    const logged = `${inspect(error, { depth: 10, showHidden: true })} ${JSON.stringify(error)}`;

    expect(logged).toContain('CKR_PIN_INCORRECT');
    expect(logged).not.toContain('wrong-pin-5678');
  });

  it('rejects a missing token label', async () => {
    const error = await codeOf(connect(fixture, { tokenLabel: 'no-such-token' }));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.message).toMatch(/No token labelled "no-such-token"/u);
  });

  it('rejects a slot without a token', async () => {
    const options = { ...fixture.options, tokenLabel: undefined };
    const error = await codeOf(Pkcs11KeyShareCipher.connect({ ...options, slot: 987654 }));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.message).toMatch(/No token is present in slot 987654/u);
  });

  it('connects by slot id', async () => {
    const module = new pkcs11js.PKCS11();
    module.load(fixture.token.libraryPath);
    const slots = module.C_GetSlotList(true);
    const slot = slots.find(
      (handle) => module.C_GetTokenInfo(handle).label.trim() === fixture.token.label,
    )!;

    const options = { ...fixture.options, tokenLabel: undefined };
    const cipher = await Pkcs11KeyShareCipher.connect({ ...options, slot: slotIdOf(slot) });
    try {
      const ciphertext = await cipher.encrypt(Buffer.from('by slot'), CONTEXT);

      expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT)).toString()).toBe('by slot');
    } finally {
      await cipher.close();
    }
  });

  it('rejects a library path that does not load', async () => {
    const error = await codeOf(
      connect(fixture, { libraryPath: '/nonexistent/libvendor-pkcs11.so' }),
    );

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.message).toMatch(/could not be loaded/u);
  });

  it('rejects a missing key label', async () => {
    const error = await codeOf(connect(fixture, { keyLabel: 'no-such-key' }));

    expect(error.code).toBe('KEY_NOT_FOUND');
    expect(error.message).toMatch(/No secret key labelled "no-such-key"/u);
  });

  it('rejects a key without CKA_ENCRYPT', async () => {
    const error = await codeOf(connect(fixture, { keyLabel: 'decrypt-only' }));

    expect(error.code).toBe('KEY_UNUSABLE');
    expect(error.message).toMatch(/not allowed to encrypt/u);
  });

  it.each([
    [{ tokenLabel: undefined }, /Either the "tokenLabel" or the "slot" option is required/u],
    [{ slot: 1 }, /Give either the "tokenLabel" or the "slot" option, not both/u],
    [{ pin: '' }, /"pin" option must be a non-empty string/u],
    [{ keyLabel: '' }, /"keyLabel" option must be a non-empty string/u],
    [{ poolSize: 0 }, /"poolSize" option must be a positive integer/u],
    [{ ivMode: 'random' as never }, /"ivMode" option must be one of/u],
    [{ callMode: 'threads' as never }, /"callMode" option must be one of async, sync/u],
    [{ sessionKeyCopies: 'yes' as never }, /"sessionKeyCopies" option must be true or false/u],
    [
      { ivMode: 'hsm-generated' as const, maxPlaintextBytes: 16_357 },
      /at most 16356 with ivMode "hsm-generated"/u,
    ],
  ])('rejects invalid options %#', async (override, message) => {
    await expect(connect(fixture, override)).rejects.toThrow(message);
  });
});

describe('Pkcs11KeyShareCipher requests', () => {
  let cipher: Pkcs11KeyShareCipher;
  let ciphertext: Uint8Array;

  beforeAll(async () => {
    cipher = await connect(fixture, { poolSize: 2 });
    ciphertext = await cipher.encrypt(Buffer.from('a share'), CONTEXT);
  });

  afterAll(async () => {
    await cipher.close();
  });

  it('keeps the PIN off every enumerable property', () => {
    const rendered = `${JSON.stringify(cipher)} ${inspect(cipher, { depth: 5, showHidden: true })}`;

    expect(rendered).not.toContain(fixture.token.userPin);
    expect(JSON.stringify(cipher.settings)).not.toContain(fixture.token.userPin);
  });

  it('rejects a tampered tag', async () => {
    const tampered = Uint8Array.from(ciphertext);
    tampered[tampered.length - 1]! ^= 0x01;

    expect(await codeOf(cipher.decrypt(tampered, CONTEXT))).toEqual({
      code: 'DECRYPTION_FAILED',
      message: expect.stringMatching(/^Decryption failed/u) as unknown as string,
    });
  });

  it('rejects a truncated ciphertext', async () => {
    expect(
      (await codeOf(cipher.decrypt(ciphertext.slice(0, ciphertext.length - 17), CONTEXT))).code,
    ).toBe('MALFORMED_CIPHERTEXT');
    expect((await codeOf(cipher.decrypt(ciphertext.slice(0, 20), CONTEXT))).code).toBe(
      'MALFORMED_CIPHERTEXT',
    );
  });

  it('rejects another context', async () => {
    expect((await codeOf(cipher.decrypt(ciphertext, { ewi: 'wallet-other' }))).code).toBe(
      'DECRYPTION_FAILED',
    );
  });

  it('rejects a header naming an unknown key version', async () => {
    const unknownVersion = Uint8Array.from(ciphertext);
    const versionOffset = 8 + 'errors'.length;
    unknownVersion.set(encodeKeyVersionId(7), versionOffset);

    expect((await codeOf(cipher.decrypt(unknownVersion, CONTEXT))).code).toBe('DECRYPTION_FAILED');
  });

  it('does not recognise another key label', async () => {
    const other = await connect(fixture, { keyLabel: 'imported-elsewhere' }).catch(
      (error: unknown) => error,
    );

    expect(isKeyShareCipherError(other)).toBe(true);

    expect((other as { code?: unknown }).code).toBe('KEY_NOT_FOUND');
    expect(cipher.recognizes(ciphertext)).toBe(true);
    const relabelled = Uint8Array.from(ciphertext);
    relabelled[8] = 'E'.charCodeAt(0);
    expect(cipher.recognizes(relabelled)).toBe(false);
  });

  it('keeps working after failed requests', async () => {
    const again = await cipher.encrypt(Buffer.from('still fine'), CONTEXT);

    expect(Buffer.from(await cipher.decrypt(again, CONTEXT)).toString()).toBe('still fine');
    expect(cipher.openSessionCount).toBeLessThanOrEqual(2);
  });

  it('reports hsm-generated IVs as unsupported on SoftHSM2', async () => {
    // SoftHSM2 keeps the caller's zero IV instead of writing one, so the provider must refuse to use it.
    const hsmIv = await connect(fixture, { ivMode: 'hsm-generated' });
    try {
      const error = await codeOf(hsmIv.encrypt(Buffer.from('share'), CONTEXT));

      expect(error.code).toBe('PROVIDER_FAILURE');
      expect(error.message).toMatch(/did not return a generated IV/u);
    } finally {
      await hsmIv.close();
    }
  });

  it('reports the key in its health status', async () => {
    expect(await cipher.checkHealth()).toEqual({
      healthy: true,
      provider: 'pkcs11',
      detail: 'HSM key "errors" version 1 is present and may encrypt.',
    });
  });

  it('reports a key that lost CKA_ENCRYPT as unhealthy', async () => {
    const admin = fixture.admin();
    const [key] = findSecretKeys(admin.library, admin.session, 'errors');
    (admin.library as pkcs11js.PKCS11).C_SetAttributeValue(admin.session, key!.handle, [
      { type: pkcs11js.CKA_ENCRYPT, value: false },
    ]);

    try {
      const health = await cipher.checkHealth();

      expect(health.healthy).toBe(false);
      expect(health.detail).toMatch(/version 1 is not allowed to encrypt/u);
      expect((await codeOf(cipher.encrypt(Buffer.from('share'), CONTEXT))).code).toBe(
        'KEY_UNUSABLE',
      );
    } finally {
      (admin.library as pkcs11js.PKCS11).C_SetAttributeValue(admin.session, key!.handle, [
        { type: pkcs11js.CKA_ENCRYPT, value: true },
      ]);
      admin.close();
    }

    expect((await cipher.checkHealth()).healthy).toBe(true);
  });
});
