import * as pkcs11js from 'pkcs11js';

import { AES_256_KEY_BYTES, KeyNotFoundError, KeyUnusableError } from '@split-kms/core';

import { findSecretKeys, readLabel } from './key-directory';
import { decodeKeyVersionId, encodeKeyVersionId } from './key-version-id';
import { checkOptions, type Pkcs11KeyShareCipherOptions } from './options';
import type { Handle, Pkcs11Api } from './pkcs11-api';
import { hasReturnValue, toLoginError } from './pkcs11-errors';
import { loadPkcs11js, openLibrary } from './pkcs11-module';
import { findSlot } from './slot';

/** Options of the key-management functions: the provider's options less the request settings. */
export type KeyAdminOptions = Pick<
  Pkcs11KeyShareCipherOptions,
  'libraryPath' | 'tokenLabel' | 'slot' | 'pin' | 'keyLabel' | 'loadLibrary'
>;

/** One secret key on the token, as `list` prints it. */
export interface KeyListing {
  readonly label: string;
  /** `CKA_ID` in hex. */
  readonly id: string;
  /** Version decoded from `CKA_ID`, when it is a version. */
  readonly version: number | undefined;
  readonly aes256: boolean;
  readonly canEncrypt: boolean;
  readonly canDecrypt: boolean;
}

/** A logged-in read-write session for key management. */
export interface AdminSession {
  readonly library: Pkcs11Api;
  readonly session: Handle;
  readonly close: () => void;
}

/**
 * The template of every new key version: AES-256, stored on the token,
 * private, sensitive and not extractable, allowed to encrypt and decrypt
 * and nothing else.
 */
export function keyTemplate(label: string, version: number): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: AES_256_KEY_BYTES },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_ID, value: encodeKeyVersionId(version) },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
    { type: pkcs11js.CKA_WRAP, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: false },
    { type: pkcs11js.CKA_SIGN, value: false },
    { type: pkcs11js.CKA_VERIFY, value: false },
    { type: pkcs11js.CKA_DERIVE, value: false },
  ];
}

/** Opens a read-write session and logs the crypto user in. */
export function openAdminSession(options: KeyAdminOptions): AdminSession {
  const settings = checkOptions({ ...options, keyLabel: options.keyLabel });
  const library = openLibrary(settings.libraryPath, options.loadLibrary ?? loadPkcs11js);
  const slot = findSlot(library, settings);
  const session = library.C_OpenSession(
    slot,
    pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
  );

  try {
    library.C_Login(session, pkcs11js.CKU_USER, options.pin);
  } catch (error) {
    if (!hasReturnValue(error, pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) {
      library.C_CloseSession(session);
      throw toLoginError(error);
    }
  }

  return { library, session, close: () => library.C_CloseSession(session) };
}

/**
 * Generates version 1 of a new key inside the HSM. Throws when the label
 * already has versions, so `create` never shadows a key by accident.
 */
export function createKey(admin: AdminSession, label: string): number {
  const versions = keyVersions(admin, label);
  if (versions.length > 0) {
    throw new KeyUnusableError(
      `Key "${label}" already exists (newest version ${Math.max(...versions)}). Use \`rotate\` to add a version.`,
    );
  }

  return generateVersion(admin, label, 1);
}

/** Generates the next version of an existing key. Providers encrypt with it from their next key lookup. */
export function rotateKey(admin: AdminSession, label: string): number {
  const versions = keyVersions(admin, label);
  if (versions.length === 0) {
    throw new KeyNotFoundError(`Key "${label}" does not exist. Use \`create\` first.`);
  }

  return generateVersion(admin, label, Math.max(...versions) + 1);
}

/** Lists every secret key the user can see, sorted by label and version. */
export function listKeys(admin: AdminSession): KeyListing[] {
  const listings = findSecretKeys(admin.library, admin.session, undefined).map((object) => ({
    label: readLabel(admin.library, admin.session, object.handle),
    id: object.id?.toString('hex') ?? '',
    version: decodeKeyVersionId(object.id),
    aes256: object.keyType === pkcs11js.CKK_AES && object.valueLength === AES_256_KEY_BYTES,
    canEncrypt: object.canEncrypt,
    canDecrypt: object.canDecrypt,
  }));

  return listings.sort(
    (a, b) => a.label.localeCompare(b.label) || (a.version ?? 0) - (b.version ?? 0),
  );
}

function keyVersions(admin: AdminSession, label: string): number[] {
  return findSecretKeys(admin.library, admin.session, label)
    .map((object) => decodeKeyVersionId(object.id))
    .filter((version): version is number => version !== undefined);
}

function generateVersion(admin: AdminSession, label: string, version: number): number {
  admin.library.C_GenerateKey(
    admin.session,
    { mechanism: pkcs11js.CKM_AES_KEY_GEN },
    keyTemplate(label, version),
  );

  return version;
}
