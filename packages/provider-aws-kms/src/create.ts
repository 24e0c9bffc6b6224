import type { KMS } from '@aws-sdk/client-kms';
import { KeyShareCipherRouter } from '@split-kms/core';

import { DirectKmsKeyShareCipher } from './direct-cipher';
import { EnvelopeKmsKeyShareCipher } from './envelope-cipher';
import { resolveKeyArn } from './key-arn';
import type { KmsCipherKeys } from './kms-cipher';
import { createKmsClient } from './kms-client';
import {
  resolveAwsKmsOptions,
  type AwsKmsKeyShareCipherOptions,
  type AwsKmsMode,
  type ResolvedAwsKmsOptions,
} from './options';

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
  const keys = await connect(resolved);

  return createMode(resolved.mode, resolved, { ...keys, ownsClient: true });
}

/**
 * Creates a router that encrypts in the configured mode and decrypts both
 * formats, raw KMS blobs and Encryption SDK messages, with the same keys and
 * one shared KMS client. A deployment can then switch `mode` and still
 * decrypt everything made before, including the earlier service's blobs.
 *
 * @throws TypeError naming an invalid option.
 * @throws KeyShareCipherError (such as `KeyNotFoundError`) when a key cannot be resolved.
 */
export async function createAwsKmsRouter(
  options: AwsKmsKeyShareCipherOptions,
): Promise<KeyShareCipherRouter> {
  const resolved = resolveAwsKmsOptions(options);
  const keys = await connect(resolved);
  const otherMode: AwsKmsMode = resolved.mode === 'direct' ? 'envelope' : 'direct';

  return new KeyShareCipherRouter({
    primary: createMode(resolved.mode, resolved, { ...keys, ownsClient: true }),
    decryptOnly: [createMode(otherMode, resolved, keys)],
  });
}

function createMode(
  mode: AwsKmsMode,
  resolved: ResolvedAwsKmsOptions,
  keys: KmsCipherKeys,
): AwsKmsKeyShareCipher {
  if (mode === 'envelope') {
    return new EnvelopeKmsKeyShareCipher({
      ...keys,
      ...(resolved.cache === undefined ? {} : { cache: resolved.cache }),
    });
  }

  return new DirectKmsKeyShareCipher(keys);
}

async function connect(resolved: ResolvedAwsKmsOptions): Promise<KmsCipherKeys> {
  const client = createKmsClient(resolved);

  try {
    const keyArns = await resolveKeyArns(client, [resolved.keyId, ...resolved.decryptKeyIds]);

    return { client, keyArn: keyArns[0]!, decryptKeyArns: keyArns.slice(1) };
  } catch (error) {
    client.destroy();
    throw error;
  }
}

async function resolveKeyArns(client: KMS, keyIds: readonly string[]): Promise<string[]> {
  const arns: string[] = [];
  for (const keyId of keyIds) {
    arns.push(await resolveKeyArn(client, keyId));
  }

  return arns;
}
