import type { KMS } from '@aws-sdk/client-kms';
import type { HealthStatus } from '@split-kms/core';

import { mapKmsError } from './kms-errors';

/**
 * Checks with `DescribeKey` that each key is enabled, symmetric
 * (`SYMMETRIC_DEFAULT`) and made for `ENCRYPT_DECRYPT`. Never throws.
 */
export async function checkKmsKeysHealth(
  client: KMS,
  provider: string,
  keyArns: readonly string[],
): Promise<HealthStatus> {
  const problems = await Promise.all(keyArns.map(async (keyArn) => findKeyProblem(client, keyArn)));
  const found = problems.filter((problem): problem is string => problem !== undefined);

  return {
    healthy: found.length === 0,
    provider,
    detail:
      found.length === 0
        ? `KMS keys are enabled for symmetric encryption: ${keyArns.join(', ')}.`
        : found.join(' '),
  };
}

async function findKeyProblem(client: KMS, keyArn: string): Promise<string | undefined> {
  try {
    const { KeyMetadata: key } = await client.describeKey({ KeyId: keyArn });
    if (key === undefined) {
      return `KMS returned no description of key ${keyArn}.`;
    }
    if (key.Enabled !== true || key.KeyState !== 'Enabled') {
      return `KMS key ${keyArn} is not enabled (state ${key.KeyState ?? 'unknown'}).`;
    }
    if (key.KeySpec !== 'SYMMETRIC_DEFAULT') {
      return `KMS key ${keyArn} has key spec ${key.KeySpec ?? 'unknown'}; SYMMETRIC_DEFAULT is required.`;
    }
    // NOTE: AWS KMS always reports KeyUsage; moto 5 omits it for keys created without one.
    if (key.KeyUsage !== undefined && key.KeyUsage !== 'ENCRYPT_DECRYPT') {
      return `KMS key ${keyArn} has key usage ${key.KeyUsage ?? 'unknown'}; ENCRYPT_DECRYPT is required.`;
    }

    return undefined;
  } catch (error) {
    return mapKmsError(error, { operation: 'DescribeKey', keyId: keyArn }).message;
  }
}
