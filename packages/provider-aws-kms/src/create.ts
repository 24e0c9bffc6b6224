import type { KMS } from '@aws-sdk/client-kms';

import { DirectKmsKeyShareCipher } from './direct-cipher';
import { EnvelopeKmsKeyShareCipher } from './envelope-cipher';
import { resolveKeyArn } from './key-arn';
import { createKmsClient } from './kms-client';
import { resolveAwsKmsOptions, type AwsKmsKeyShareCipherOptions } from './options';

/** A KMS provider in either mode. */
export type AwsKmsKeyShareCipher = DirectKmsKeyShareCipher | EnvelopeKmsKeyShareCipher;

/**
 * Creates a KMS provider: checks the options, builds one KMS client, and
 * resolves every alias or bare key id to its key ARN with one `DescribeKey`
 * each (key ARNs cost no call). Call once per process and reuse the result.
 *
 * @throws TypeError naming an invalid option.
 * @throws KeyShareCipherError (such as `KeyNotFoundError`) when a key cannot be resolved.
 *
 * @example
 * const cipher = await createAwsKmsKeyShareCipher({ keyId: 'alias/dkms-customer-key-prod' });
 * const ciphertext = await cipher.encrypt(new TextEncoder().encode(share), { ewi: walletId });
 */
export async function createAwsKmsKeyShareCipher(
  options: AwsKmsKeyShareCipherOptions,
): Promise<AwsKmsKeyShareCipher> {
  const resolved = resolveAwsKmsOptions(options);
  const client = createKmsClient(resolved);

  let keyArns: string[];
  try {
    keyArns = await resolveKeyArns(client, [resolved.keyId, ...resolved.decryptKeyIds]);
  } catch (error) {
    client.destroy();
    throw error;
  }

  const keys = { client, keyArn: keyArns[0]!, decryptKeyArns: keyArns.slice(1), ownsClient: true };
  if (resolved.mode === 'envelope') {
    return new EnvelopeKmsKeyShareCipher({
      ...keys,
      ...(resolved.cache === undefined ? {} : { cache: resolved.cache }),
    });
  }

  return new DirectKmsKeyShareCipher(keys);
}

async function resolveKeyArns(client: KMS, keyIds: readonly string[]): Promise<string[]> {
  const arns: string[] = [];
  for (const keyId of keyIds) {
    arns.push(await resolveKeyArn(client, keyId));
  }

  return arns;
}
