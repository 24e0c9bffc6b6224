import {
  detectCiphertextFormat,
  DecryptionFailedError,
  ProviderFailureError,
  type EncryptionContext,
} from '@split-kms/core';

import { explainDecryptFailure } from './decrypt-failure';
import { isInvalidCiphertextError, mapKmsError } from './kms-errors';
import { KmsKeyShareCipher } from './kms-cipher';

/**
 * Direct mode: KMS `Encrypt` and `Decrypt` with the context as
 * `EncryptionContext`. The ciphertext is the raw KMS `CiphertextBlob`, byte
 * for byte what the earlier Python service stored, so blobs move freely
 * between the two. Plaintext is limited to 4096 bytes by KMS.
 */
export class DirectKmsKeyShareCipher extends KmsKeyShareCipher {
  readonly name = 'aws-kms';

  /** Raw KMS blobs carry no header of ours: anything that is not another known format. */
  recognizes(ciphertext: Uint8Array): boolean {
    return detectCiphertextFormat(ciphertext) === 'legacy';
  }

  protected async encryptBytes(
    plaintext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    let output;
    try {
      output = await this.client.encrypt({
        KeyId: this.keyArn,
        Plaintext: plaintext,
        EncryptionContext: { ...context },
      });
    } catch (error) {
      throw mapKmsError(error, { operation: 'Encrypt', keyId: this.keyArn });
    }

    // Postcondition: KMS encrypted under the configured key.
    if (output.KeyId !== this.keyArn || output.CiphertextBlob === undefined) {
      throw new ProviderFailureError(
        `KMS Encrypt with key ${this.keyArn} returned another key or no ciphertext.`,
      );
    }

    return output.CiphertextBlob;
  }

  /**
   * Tries each accepted key in order, naming it as `KeyId` so that KMS rejects
   * a blob of any other key. A blob that fails authentication under the right
   * key (tampered, or another context) stops the search at once.
   */
  protected async decryptBytes(
    ciphertext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    let failure = new DecryptionFailedError();

    for (const keyArn of this.decryptKeyArns) {
      try {
        return await this.#decryptWith(keyArn, ciphertext, context);
      } catch (error) {
        const explained = await explainDecryptFailure(this.client, error, keyArn);
        if (explained.code !== 'DECRYPTION_FAILED' || isInvalidCiphertextError(error)) {
          throw explained;
        }
        failure = explained;
      }
    }

    throw failure;
  }

  async #decryptWith(
    keyArn: string,
    ciphertext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const output = await this.client.decrypt({
      KeyId: keyArn,
      CiphertextBlob: ciphertext,
      EncryptionContext: { ...context },
    });

    // Postcondition: KMS decrypted with the key that was named.
    if (output.KeyId !== keyArn || output.Plaintext === undefined) {
      output.Plaintext?.fill(0);
      throw new DecryptionFailedError();
    }

    return output.Plaintext;
  }
}
