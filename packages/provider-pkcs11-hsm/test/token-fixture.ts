import * as pkcs11js from 'pkcs11js';

import { afterAll } from '@jest/globals';
import {
  createSoftHsmToken,
  removeSoftHsmDirectory,
  type SoftHsmToken,
} from '@split-kms/testing/softhsm';

import { Pkcs11KeyShareCipher, type Pkcs11KeyShareCipherOptions } from '../src';
import { createKey, keyTemplate, openAdminSession, type AdminSession } from '../src/key-admin';

/** A fresh SoftHSM2 token with one generated key, and options that reach it. */
export interface TokenFixture {
  readonly token: SoftHsmToken;
  readonly keyLabel: string;
  readonly options: Pkcs11KeyShareCipherOptions;
  /** Opens a logged-in read-write session on the token, for test setup. */
  readonly admin: () => AdminSession;
}

let cleanupRegistered = false;

/**
 * Creates a token and key version 1 of `keyLabel`, and removes the token
 * directory after the test file. Call before connecting any provider in the file.
 */
export function createTokenWithKey(keyLabel = 'shares'): TokenFixture {
  if (!cleanupRegistered) {
    // Top-level afterAll hooks run after those in describe blocks, which close the providers.
    afterAll(() => removeSoftHsmDirectory());
    cleanupRegistered = true;
  }

  const token = createSoftHsmToken();
  const options: Pkcs11KeyShareCipherOptions = {
    libraryPath: token.libraryPath,
    tokenLabel: token.label,
    pin: token.userPin,
    keyLabel,
  };
  const admin = (): AdminSession => openAdminSession(options);

  const session = admin();
  try {
    createKey(session, keyLabel);
  } finally {
    session.close();
  }

  return { token, keyLabel, options, admin };
}

/** Connects a provider to the fixture's token with extra options. */
export async function connect(
  fixture: TokenFixture,
  extra: Partial<Pkcs11KeyShareCipherOptions> = {},
): Promise<Pkcs11KeyShareCipher> {
  return Pkcs11KeyShareCipher.connect({ ...fixture.options, ...extra });
}

/** Imports known AES-256 key bytes as version 1 of `label` (sensitive, not extractable). */
export function importKey(fixture: TokenFixture, label: string, keyBytes: Buffer): void {
  const admin = fixture.admin();
  try {
    // The production key template, with the key bytes in place of a length to generate.
    const template = keyTemplate(label, 1).filter(
      (attribute) => attribute.type !== pkcs11js.CKA_VALUE_LEN,
    );
    (admin.library as pkcs11js.PKCS11).C_CreateObject(admin.session, [
      ...template,
      { type: pkcs11js.CKA_VALUE, value: keyBytes },
    ]);
  } finally {
    admin.close();
  }
}
