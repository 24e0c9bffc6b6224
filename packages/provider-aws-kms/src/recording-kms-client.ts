import type {
  DecryptCommandInput,
  DecryptCommandOutput,
  EncryptCommandInput,
  EncryptCommandOutput,
  GenerateDataKeyCommandInput,
  GenerateDataKeyCommandOutput,
  KMS,
} from '@aws-sdk/client-kms';

/** A KMS call that failed during one Encryption SDK operation. */
export interface FailedKmsCall {
  readonly keyId: string;
  readonly error: unknown;
}

/**
 * The KMS client given to the Encryption SDK keyring for one operation. It
 * forwards to the shared aggregated `KMS` client and keeps each failed call,
 * because the SDK's keyring folds `Decrypt` failures into one plain `Error`
 * whose message is the pasted stack traces, losing the KMS error type.
 */
export class RecordingKmsClient {
  readonly failures: FailedKmsCall[] = [];
  readonly #kms: KMS;

  constructor(kms: KMS) {
    this.#kms = kms;
  }

  async generateDataKey(input: GenerateDataKeyCommandInput): Promise<GenerateDataKeyCommandOutput> {
    return this.#record(input.KeyId ?? 'unknown', this.#kms.generateDataKey(input));
  }

  async encrypt(input: EncryptCommandInput): Promise<EncryptCommandOutput> {
    return this.#record(input.KeyId ?? 'unknown', this.#kms.encrypt(input));
  }

  async decrypt(input: DecryptCommandInput): Promise<DecryptCommandOutput> {
    return this.#record(input.KeyId ?? 'unknown', this.#kms.decrypt(input));
  }

  async #record<T>(keyId: string, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      this.failures.push({ keyId, error });
      throw error;
    }
  }
}
