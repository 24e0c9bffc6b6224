import { randomUUID } from 'node:crypto';

import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  type KeyringNode,
  type NodeAlgorithmSuite,
  type NodeMaterialsManager,
} from '@aws-crypto/client-node';
import {
  DecryptionFailedError,
  isEncryptionSdkMessage,
  type EncryptionContext,
  type KeyShareCipherError,
} from '@split-kms/core';

import { isMessageContextOf } from './context-match';
import { explainDecryptFailure } from './decrypt-failure';
import { KmsKeyShareCipher, type KmsCipherKeys } from './kms-cipher';
import { mapKmsError } from './kms-errors';
import { AWS_KMS_MAX_PLAINTEXT_BYTES, type AwsKmsCacheOptions } from './options';
import { RecordingKmsClient } from './recording-kms-client';

/** Keys, client and optional data-key cache of the envelope mode. */
export interface EnvelopeKmsCipherKeys extends KmsCipherKeys {
  /** Cache data keys with these limits. @default no cache */
  readonly cache?: Required<AwsKmsCacheOptions>;
}

/** Committing suite without a signature, so messages stay small and carry no `aws-crypto-public-key`. */
const ALGORITHM_SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

type MaterialsCache = ReturnType<typeof getLocalCryptographicMaterialsCache<NodeAlgorithmSuite>>;

/**
 * Envelope mode: AWS Encryption SDK messages (version 2, key commitment
 * required on encrypt and decrypt) whose data key KMS generates and wraps
 * under the configured key. The message carries the encryption context, and
 * every decrypt checks it against the caller's.
 */
export class EnvelopeKmsKeyShareCipher extends KmsKeyShareCipher {
  readonly name = 'aws-kms-envelope';
  readonly #sdk: ReturnType<typeof buildClient>;
  readonly #cacheOptions: Required<AwsKmsCacheOptions> | undefined;
  readonly #cache: MaterialsCache | undefined;
  readonly #cachePartition = `split-kms-${randomUUID()}`;

  constructor(keys: EnvelopeKmsCipherKeys) {
    super(keys);
    this.#sdk = buildClient({
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      maxEncryptedDataKeys: this.decryptKeyArns.length,
    });
    this.#cacheOptions = keys.cache;
    this.#cache =
      keys.cache === undefined
        ? undefined
        : getLocalCryptographicMaterialsCache<NodeAlgorithmSuite>(keys.cache.capacity);
  }

  recognizes(ciphertext: Uint8Array): boolean {
    return isEncryptionSdkMessage(ciphertext);
  }

  protected async encryptBytes(
    plaintext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const kms = new RecordingKmsClient(this.client);
    const keyring = new KmsKeyringNode({ generatorKeyId: this.keyArn, clientProvider: () => kms });

    try {
      const { result } = await this.#sdk.encrypt(this.#materials(keyring), plaintext, {
        encryptionContext: { ...context },
        suiteId: ALGORITHM_SUITE,
        plaintextLength: plaintext.length,
        frameLength: AWS_KMS_MAX_PLAINTEXT_BYTES,
      });

      return result;
    } catch (error) {
      throw mapKmsError(kms.failures[0]?.error ?? error, {
        operation: 'GenerateDataKey',
        keyId: this.keyArn,
      });
    }
  }

  protected async decryptBytes(
    ciphertext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const kms = new RecordingKmsClient(this.client);
    const keyring = new KmsKeyringNode({
      keyIds: [...this.decryptKeyArns],
      clientProvider: () => kms,
    });

    let output;
    try {
      output = await this.#sdk.decrypt(this.#materials(keyring), ciphertext, {
        maxBodySize: AWS_KMS_MAX_PLAINTEXT_BYTES,
      });
    } catch (error) {
      throw await this.#explainFailure(kms, error);
    }

    // Postcondition: the message is bound to exactly the caller's context.
    if (!isMessageContextOf(output.messageHeader.encryptionContext, context)) {
      output.plaintext.fill(0);
      throw new DecryptionFailedError();
    }

    return output.plaintext;
  }

  /** Wraps a keyring in the caching materials manager when caching is on. */
  #materials(keyring: KeyringNode): KeyringNode | NodeMaterialsManager {
    if (this.#cache === undefined || this.#cacheOptions === undefined) {
      return keyring;
    }

    return new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: this.#cache,
      partition: this.#cachePartition,
      maxAge: this.#cacheOptions.maxAgeSeconds * 1000,
      maxMessagesEncrypted: this.#cacheOptions.maxMessagesPerDataKey,
      maxBytesEncrypted: this.#cacheOptions.maxBytesPerDataKey,
    });
  }

  /**
   * Without a failed KMS call, the SDK rejected the message itself (malformed,
   * tampered, or no data key for an accepted key). Otherwise the first KMS
   * failure that is not about the ciphertext decides.
   */
  async #explainFailure(kms: RecordingKmsClient, error: unknown): Promise<KeyShareCipherError> {
    for (const failure of kms.failures) {
      const explained = await explainDecryptFailure(this.client, failure.error, failure.keyId);
      if (explained.code !== 'DECRYPTION_FAILED') {
        return explained;
      }
    }

    return new DecryptionFailedError({ cause: error });
  }
}
