import { KMS } from '@aws-sdk/client-kms';
import { startMoto, type MotoServer } from '@split-kms/testing/moto';

import {
  createAwsKmsKeyShareCipher,
  type AwsKmsKeyShareCipher,
  type AwsKmsKeyShareCipherOptions,
} from '../src';

/** A KMS key created in moto. */
export interface TestKey {
  readonly keyId: string;
  readonly arn: string;
}

/** A moto server with an admin client for setting up keys. */
export interface MotoFixture {
  readonly moto: MotoServer;
  readonly admin: KMS;
  createKey(alias?: string): Promise<TestKey>;
  /** Creates a provider pointed at moto; extra options override the defaults. */
  createCipher(
    options: Partial<AwsKmsKeyShareCipherOptions> & { keyId: string },
  ): Promise<AwsKmsKeyShareCipher>;
  close(): Promise<void>;
}

export async function startMotoFixture(): Promise<MotoFixture> {
  const moto = await startMoto();
  const admin = new KMS({ endpoint: moto.endpoint, region: moto.region, maxAttempts: 1 });
  const ciphers: AwsKmsKeyShareCipher[] = [];

  return {
    moto,
    admin,
    createKey: async (alias) => {
      const { KeyMetadata } = await admin.createKey({
        Description: 'split-kms test key',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
      });
      const key = { keyId: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
      if (alias !== undefined) {
        await admin.createAlias({ AliasName: alias, TargetKeyId: key.keyId });
      }

      return key;
    },
    createCipher: async (options) => {
      const cipher = await createAwsKmsKeyShareCipher({
        endpoint: moto.endpoint,
        region: moto.region,
        maxAttempts: 1,
        ...options,
      });
      ciphers.push(cipher);

      return cipher;
    },
    close: async () => {
      await Promise.all(ciphers.map(async (cipher) => cipher.close()));
      admin.destroy();
      await moto.close();
    },
  };
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(value: Uint8Array): string {
  return new TextDecoder().decode(value);
}
