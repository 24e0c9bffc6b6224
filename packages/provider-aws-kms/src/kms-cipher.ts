import type { KMS } from '@aws-sdk/client-kms';
import { BaseKeyShareCipher, type HealthStatus } from '@split-kms/core';

import { checkKmsKeysHealth } from './health';
import { isKeyArn } from './key-arn';
import { AWS_KMS_MAX_PLAINTEXT_BYTES } from './options';

/** Keys and client of a KMS provider, with every key given as a key ARN. */
export interface KmsCipherKeys {
  /** The one KMS client of this provider, reused for every call. */
  readonly client: KMS;
  /** ARN of the key that encrypts. */
  readonly keyArn: string;
  /** ARNs of further keys that only decrypt. @default [] */
  readonly decryptKeyArns?: readonly string[];
  /** Destroy `client` on `close()`. @default false */
  readonly ownsClient?: boolean;
}

/** Base class of both KMS modes, with the client, the key ARNs, the health check and `close()`. */
export abstract class KmsKeyShareCipher extends BaseKeyShareCipher {
  readonly maxPlaintextBytes = AWS_KMS_MAX_PLAINTEXT_BYTES;
  protected readonly client: KMS;
  /** ARN of the key that encrypts. */
  readonly keyArn: string;
  /** Every key that decrypts: `keyArn` first, then the decrypt-only keys in order. */
  readonly decryptKeyArns: readonly string[];
  readonly #ownsClient: boolean;

  constructor(keys: KmsCipherKeys) {
    super();
    if (typeof keys?.client?.describeKey !== 'function') {
      throw new TypeError('"client" option must be a KMS client from @aws-sdk/client-kms.');
    }

    const arns = [keys.keyArn, ...(keys.decryptKeyArns ?? [])];
    const invalid = arns.find((arn) => typeof arn !== 'string' || !isKeyArn(arn));
    if (invalid !== undefined) {
      throw new TypeError(
        `"keyArn" and "decryptKeyArns" options must be key ARNs. Resolve "${String(invalid)}" with resolveKeyArn first.`,
      );
    }

    this.client = keys.client;
    this.keyArn = keys.keyArn;
    this.decryptKeyArns = Object.freeze([...new Set(arns)]);
    this.#ownsClient = keys.ownsClient ?? false;
  }

  async checkHealth(): Promise<HealthStatus> {
    return checkKmsKeysHealth(this.client, this.name, this.decryptKeyArns);
  }

  async close(): Promise<void> {
    if (this.#ownsClient) {
      this.client.destroy();
    }
  }
}
