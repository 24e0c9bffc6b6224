import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as pkcs11js from 'pkcs11js';

import { isKeyShareCipherError } from '@split-kms/core';

import type { Pkcs11KeyShareCipher } from '../src';
import { keyTemplate, rotateKey } from '../src/key-admin';
import { connect, createTokenWithKey, type TokenFixture } from './token-fixture';

const CONTEXT = { ewi: 'wallet-copies' };

const fixture = createTokenWithKey('copied');
const uncopyable = createTokenWithKey('uncopyable-unused');

/** Counts this process's objects under `label` that are session objects (CKA_TOKEN false). */
function sessionObjectCount(tokenFixture: TokenFixture, label: string): number {
  const admin = tokenFixture.admin();
  try {
    const library = admin.library as pkcs11js.PKCS11;
    library.C_FindObjectsInit(admin.session, [
      { type: pkcs11js.CKA_LABEL, value: label },
      { type: pkcs11js.CKA_TOKEN, value: false },
    ]);
    const found = library.C_FindObjects(admin.session, 100);
    library.C_FindObjectsFinal(admin.session);

    return found.length;
  } finally {
    admin.close();
  }
}

describe('sessionKeyCopies on SoftHSM2', () => {
  let copied: Pkcs11KeyShareCipher;
  let direct: Pkcs11KeyShareCipher;

  beforeAll(async () => {
    direct = await connect(fixture, { keyLabel: 'copied' });
    copied = await connect(fixture, {
      keyLabel: 'copied',
      sessionKeyCopies: true,
      callMode: 'sync',
    });
  });

  afterAll(async () => {
    await copied.close();
    await direct.close();
  });

  it('makes one session copy per key version', () => {
    expect(copied.settings.sessionKeyCopies).toBe(true);
    expect(sessionObjectCount(fixture, 'copied')).toBe(1);
  });

  it('writes ciphertexts that the token key decrypts, and back', async () => {
    const fromCopy = await copied.encrypt(Buffer.from('copied share'), CONTEXT);
    const fromToken = await direct.encrypt(Buffer.from('token share'), CONTEXT);

    expect(Buffer.from(await direct.decrypt(fromCopy, CONTEXT)).toString()).toBe('copied share');
    expect(Buffer.from(await copied.decrypt(fromToken, CONTEXT)).toString()).toBe('token share');
  });

  it('keeps one copy through repeated health checks', async () => {
    for (let check = 0; check < 20; check += 1) {
      expect((await copied.checkHealth()).healthy).toBe(true);
    }

    expect(sessionObjectCount(fixture, 'copied')).toBe(1);
  });

  it('copies a new version after a rotation and keeps the old one', async () => {
    const before = await copied.encrypt(Buffer.from('version 1'), CONTEXT);
    const admin = fixture.admin();
    try {
      expect(rotateKey(admin, 'copied')).toBe(2);
    } finally {
      admin.close();
    }

    // The provider still encrypts with version 1 here, so version 2 comes from the other provider.
    const rotated = await connect(fixture, { keyLabel: 'copied' });
    const after = await rotated.encrypt(Buffer.from('version 2'), CONTEXT);
    await rotated.close();

    expect(Buffer.from(await copied.decrypt(after, CONTEXT)).toString()).toBe('version 2');
    expect(Buffer.from(await copied.decrypt(before, CONTEXT)).toString()).toBe('version 1');
    expect(sessionObjectCount(fixture, 'copied')).toBe(2);
  });

  it('copies again after a reconnect', async () => {
    const outside = new pkcs11js.PKCS11();
    outside.load(fixture.token.libraryPath);
    const slot = outside
      .C_GetSlotList(true)
      .find((handle) => outside.C_GetTokenInfo(handle).label.trim() === fixture.token.label)!;
    outside.C_CloseAllSessions(slot);

    const first = await copied
      .encrypt(Buffer.from('lost'), CONTEXT)
      .catch((error: unknown) => error);
    expect(isKeyShareCipherError(first)).toBe(true);
    expect((first as { code?: unknown }).code).toBe('PROVIDER_UNAVAILABLE');

    const ciphertext = await copied.encrypt(Buffer.from('reconnected'), CONTEXT);
    expect(Buffer.from(await copied.decrypt(ciphertext, CONTEXT)).toString()).toBe('reconnected');
    expect(sessionObjectCount(fixture, 'copied')).toBe(2);
  });
});

describe('sessionKeyCopies with a key that may not be copied', () => {
  beforeAll(() => {
    const admin = uncopyable.admin();
    try {
      (admin.library as pkcs11js.PKCS11).C_GenerateKey(
        admin.session,
        { mechanism: pkcs11js.CKM_AES_KEY_GEN },
        [...keyTemplate('pinned', 1), { type: pkcs11js.CKA_COPYABLE, value: false }],
      );
    } finally {
      admin.close();
    }
  });

  it('fails at connect with KEY_UNUSABLE and the fix', async () => {
    const error = await connect(uncopyable, { keyLabel: 'pinned', sessionKeyCopies: true }).catch(
      (caught: unknown) => caught,
    );

    expect(isKeyShareCipherError(error)).toBe(true);
    expect((error as { code?: unknown }).code).toBe('KEY_UNUSABLE');
    expect((error as Error).message).toBe(
      'HSM key "pinned" version 1 may not be copied (CKA_COPYABLE is false). Turn session key copies off ' +
        'for this key (option "sessionKeyCopies", PKCS11_SESSION_KEY_COPIES in the API).',
    );
  });

  it('connects without copies', async () => {
    const cipher = await connect(uncopyable, { keyLabel: 'pinned' });
    const ciphertext = await cipher.encrypt(Buffer.from('pinned share'), CONTEXT);

    expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT)).toString()).toBe('pinned share');
    await cipher.close();
  });
});
