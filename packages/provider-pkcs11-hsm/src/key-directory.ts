import * as pkcs11js from 'pkcs11js';

import { AES_256_KEY_BYTES, KeyNotFoundError, KeyUnusableError } from '@split-kms/core';

import { decodeKeyVersionId } from './key-version-id';
import type { Handle, Pkcs11Api } from './pkcs11-api';

/** One version of the configured key, as found on the token. */
export interface HsmKeyVersion {
  readonly version: number;
  readonly handle: Handle;
  readonly canEncrypt: boolean;
  readonly canDecrypt: boolean;
}

/** The versions of one key label. */
export interface HsmKeySet {
  readonly label: string;
  /** The highest version, which encrypts. */
  readonly newest: HsmKeyVersion;
  readonly versions: ReadonlyMap<number, HsmKeyVersion>;
}

/** A secret-key object under a label, with the attributes the provider and the CLI read. */
export interface SecretKeyObject {
  readonly handle: Handle;
  readonly id: Buffer | undefined;
  readonly keyType: number | undefined;
  readonly valueLength: number | undefined;
  readonly canEncrypt: boolean;
  readonly canDecrypt: boolean;
}

const FIND_BATCH = 64;

/** Lists the secret-key objects with this label, or with any label when `label` is undefined. */
export function findSecretKeys(
  library: Pkcs11Api,
  session: Handle,
  label: string | undefined,
): SecretKeyObject[] {
  // Token objects only: session-object copies of the keys share their label and CKA_ID.
  const template: pkcs11js.Template = [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_TOKEN, value: true },
  ];
  if (label !== undefined) {
    template.push({ type: pkcs11js.CKA_LABEL, value: label });
  }

  const handles: Handle[] = [];
  library.C_FindObjectsInit(session, template);
  try {
    for (let batch = library.C_FindObjects(session, FIND_BATCH); batch.length > 0;) {
      handles.push(...batch);
      batch = library.C_FindObjects(session, FIND_BATCH);
    }
  } finally {
    library.C_FindObjectsFinal(session);
  }

  return handles.map((handle) => readKeyObject(library, session, handle));
}

/** Reads a key's label, for listing. Returns an empty string when it has none. */
export function readLabel(library: Pkcs11Api, session: Handle, handle: Handle): string {
  const [label] = library.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_LABEL }]);

  return Buffer.isBuffer(label?.value) ? label.value.toString('utf8') : '';
}

/**
 * Finds every version of the AES-256 key `label`.
 *
 * @throws KeyNotFoundError when no object has the label and a version `CKA_ID`.
 * @throws KeyUnusableError when a version is not an AES-256 key, two objects
 *   share a version, or the newest version may not encrypt.
 */
export function findKeySet(library: Pkcs11Api, session: Handle, label: string): HsmKeySet {
  const objects = findSecretKeys(library, session, label);
  const versions = new Map<number, HsmKeyVersion>();

  for (const object of objects) {
    const version = decodeKeyVersionId(object.id);
    if (version === undefined) {
      continue;
    }

    // Precondition: every version is an AES-256 key.
    if (object.keyType !== pkcs11js.CKK_AES || object.valueLength !== AES_256_KEY_BYTES) {
      throw new KeyUnusableError(`HSM key "${label}" version ${version} is not an AES-256 key.`);
    }
    // Precondition: no two objects claim the same version.
    if (versions.has(version)) {
      throw new KeyUnusableError(
        `Two HSM keys labelled "${label}" have version ${version} (the same CKA_ID).`,
      );
    }
    versions.set(version, {
      version,
      handle: object.handle,
      canEncrypt: object.canEncrypt,
      canDecrypt: object.canDecrypt,
    });
  }

  const newest = newestVersion(versions);
  if (newest === undefined) {
    throw new KeyNotFoundError(missingKeyMessage(label, objects.length));
  }

  // Precondition: the newest version may encrypt, since every new ciphertext uses it.
  if (!newest.canEncrypt) {
    throw new KeyUnusableError(
      `HSM key "${label}" version ${newest.version} is not allowed to encrypt (CKA_ENCRYPT is false).`,
    );
  }

  return { label, newest, versions };
}

function newestVersion(versions: ReadonlyMap<number, HsmKeyVersion>): HsmKeyVersion | undefined {
  let newest: HsmKeyVersion | undefined;
  for (const candidate of versions.values()) {
    if (newest === undefined || candidate.version > newest.version) {
      newest = candidate;
    }
  }

  return newest;
}

function missingKeyMessage(label: string, objectCount: number): string {
  if (objectCount === 0) {
    return (
      `No secret key labelled "${label}" is visible to this user on the token. ` +
      `Create one with \`split-kms-hsm create --key-label ${label}\`, or check PKCS11_KEY_LABEL.`
    );
  }

  return (
    `Secret keys labelled "${label}" exist, but none has a version CKA_ID ` +
    '(4 bytes, big-endian, from 00000001). Give the key CKA_ID 00000001 or create it with `split-kms-hsm create`.'
  );
}

function readKeyObject(library: Pkcs11Api, session: Handle, handle: Handle): SecretKeyObject {
  const attributes = library.C_GetAttributeValue(session, handle, [
    { type: pkcs11js.CKA_ID },
    { type: pkcs11js.CKA_KEY_TYPE },
    { type: pkcs11js.CKA_VALUE_LEN },
    { type: pkcs11js.CKA_ENCRYPT },
    { type: pkcs11js.CKA_DECRYPT },
  ]);
  const [id, keyType, valueLength, encrypt, decrypt] = attributes.map(
    (attribute) => attribute.value,
  );

  return {
    handle,
    id: Buffer.isBuffer(id) ? id : undefined,
    keyType: readUlong(keyType),
    valueLength: readUlong(valueLength),
    canEncrypt: readBool(encrypt),
    canDecrypt: readBool(decrypt),
  };
}

function readUlong(value: unknown): number | undefined {
  if (!Buffer.isBuffer(value) || value.length === 0) {
    return undefined;
  }

  return value.length >= 8 ? Number(value.readBigUInt64LE(0)) : value.readUInt32LE(0);
}

function readBool(value: unknown): boolean {
  return Buffer.isBuffer(value) && value.length > 0 && value[0] !== 0;
}
