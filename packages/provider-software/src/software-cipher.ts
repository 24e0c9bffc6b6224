import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

import {
  AES_GCM_IV_BYTES,
  AES_GCM_TAG_BYTES,
  BaseKeyShareCipher,
  CiphertextAlgorithm,
  CiphertextProviderId,
  concatBytes,
  DecryptionFailedError,
  encodeEncryptionContext,
  isCiphertextOfProvider,
  parseCiphertext,
  serializeHeader,
  type EncryptionContext,
  type HealthStatus,
} from '@split-kms/core';

import type { SoftwareKey } from './key-file';

/** Options of `SoftwareKeyShareCipher`. */
export interface SoftwareKeyShareCipherOptions {
  /** Key versions under one label. The highest version encrypts; every version decrypts. */
  readonly keys: readonly SoftwareKey[];
  /** Largest plaintext accepted, in bytes. @default 4096 (the AWS KMS limit) */
  readonly maxPlaintextBytes?: number;
}

/**
 * AES-256-GCM in this process with keys held in memory, for local runs and
 * tests. It is not a key-management system: use AWS KMS or an HSM in production.
 *
 * Output: the Split KMS header (provider id 1), then ciphertext and 16-byte tag.
 * AAD: the header bytes followed by the canonical encryption context.
 */
export class SoftwareKeyShareCipher extends BaseKeyShareCipher {
  readonly name = 'software';
  readonly maxPlaintextBytes: number;
  readonly #keys: ReadonlyMap<string, SoftwareKey>;
  readonly #current: SoftwareKey;

  constructor(options: SoftwareKeyShareCipherOptions) {
    super();
    if (options?.keys === undefined || options.keys.length === 0) {
      throw new TypeError('"keys" option must contain at least one key.');
    }

    const labels = new Set(options.keys.map((key) => key.label));
    if (labels.size !== 1) {
      throw new TypeError('"keys" option must hold versions of a single label.');
    }

    this.maxPlaintextBytes = options.maxPlaintextBytes ?? 4096;
    this.#keys = new Map(options.keys.map((key) => [keyName(key.label, key.version), key]));
    if (this.#keys.size !== options.keys.length) {
      throw new TypeError('"keys" option must not repeat a version.');
    }
    this.#current = options.keys.reduce((newest, key) =>
      key.version > newest.version ? key : newest,
    );
  }

  /** Label and version of the key that encrypts. */
  get currentKey(): { readonly label: string; readonly version: number } {
    return { label: this.#current.label, version: this.#current.version };
  }

  recognizes(ciphertext: Uint8Array): boolean {
    return isCiphertextOfProvider(ciphertext, CiphertextProviderId.SOFTWARE);
  }

  async checkHealth(): Promise<HealthStatus> {
    return {
      healthy: true,
      provider: this.name,
      detail: `In-process key "${this.#current.label}" version ${this.#current.version} (development only).`,
    };
  }

  protected async encryptBytes(
    plaintext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const iv = randomBytes(AES_GCM_IV_BYTES);
    const header = serializeHeader({
      providerId: CiphertextProviderId.SOFTWARE,
      algorithm: CiphertextAlgorithm.AES_256_GCM,
      keyLabel: this.#current.label,
      keyVersion: this.#current.version,
      iv,
    });

    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv, {
      authTagLength: AES_GCM_TAG_BYTES,
    });
    cipher.setAAD(concatBytes([header, encodeEncryptionContext(context)]));
    const body = concatBytes([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);

    return concatBytes([header, body]);
  }

  protected async decryptBytes(
    ciphertext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const { header, headerBytes, payload } = parseCiphertext(ciphertext);
    const key = this.#keys.get(keyName(header.keyLabel, header.keyVersion));
    if (key === undefined) {
      // Same error as a wrong key: the caller learns nothing about which keys exist.
      throw new DecryptionFailedError();
    }

    return decryptGcm(key.key, header.iv, headerBytes, context, payload);
  }
}

function decryptGcm(
  key: KeyObject,
  iv: Uint8Array,
  headerBytes: Uint8Array,
  context: EncryptionContext,
  payload: Uint8Array,
): Uint8Array {
  const tagOffset = payload.length - AES_GCM_TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: AES_GCM_TAG_BYTES });
  decipher.setAAD(concatBytes([headerBytes, encodeEncryptionContext(context)]));
  decipher.setAuthTag(payload.subarray(tagOffset));

  try {
    return concatBytes([decipher.update(payload.subarray(0, tagOffset)), decipher.final()]);
  } catch (error) {
    throw new DecryptionFailedError({ cause: error });
  }
}

function keyName(label: string, version: number): string {
  return `${label}\u0000${version}`;
}
