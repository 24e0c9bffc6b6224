import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import {
  BaseKeyShareCipher,
  CiphertextAlgorithm,
  concatBytes,
  DecryptionFailedError,
  encodeEncryptionContext,
  isCiphertextOfProvider,
  parseCiphertext,
  serializeHeader,
  type EncryptionContext,
  type HealthStatus,
} from '../src';

/** An in-memory AES-256-GCM provider built on node:crypto, to test core with real crypto. */
export class AesGcmTestCipher extends BaseKeyShareCipher {
  readonly maxPlaintextBytes = 4096;
  readonly #key = randomBytes(32);

  constructor(
    readonly name = 'aes-gcm-test',
    private readonly providerId = 200,
  ) {
    super();
  }

  recognizes(ciphertext: Uint8Array): boolean {
    return isCiphertextOfProvider(ciphertext, this.providerId);
  }

  async checkHealth(): Promise<HealthStatus> {
    return { healthy: true, provider: this.name, detail: 'in memory' };
  }

  protected async encryptBytes(
    plaintext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const iv = randomBytes(12);
    const header = serializeHeader({
      providerId: this.providerId,
      algorithm: CiphertextAlgorithm.AES_256_GCM,
      keyLabel: 'test',
      keyVersion: 1,
      iv,
    });
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(concatBytes([header, encodeEncryptionContext(context)]));

    return concatBytes([header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  protected async decryptBytes(
    ciphertext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const { header, headerBytes, payload } = parseCiphertext(ciphertext);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, header.iv);
    decipher.setAAD(concatBytes([headerBytes, encodeEncryptionContext(context)]));
    decipher.setAuthTag(payload.subarray(payload.length - 16));
    try {
      return concatBytes([
        decipher.update(payload.subarray(0, payload.length - 16)),
        decipher.final(),
      ]);
    } catch (error) {
      throw new DecryptionFailedError({ cause: error });
    }
  }
}
