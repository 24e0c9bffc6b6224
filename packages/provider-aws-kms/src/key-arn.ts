import type { KMS } from '@aws-sdk/client-kms';

import { mapKmsError } from './kms-errors';

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/u;

/** Tells whether a key identifier is a key ARN (not an alias, alias ARN or bare key id). */
export function isKeyArn(keyId: string): boolean {
  return KEY_ARN.test(keyId);
}

/**
 * Returns the key ARN for a key id, key ARN, alias name or alias ARN. A key
 * ARN is returned as it is; anything else costs one `DescribeKey` call. The
 * AWS Encryption SDK matches data keys to keys by ARN only, and a direct
 * `Decrypt` then names the same key that KMS reports back.
 *
 * @throws KeyShareCipherError (such as `KeyNotFoundError`) when KMS cannot describe the key.
 */
export async function resolveKeyArn(client: KMS, keyId: string): Promise<string> {
  if (isKeyArn(keyId)) {
    return keyId;
  }

  try {
    const { KeyMetadata } = await client.describeKey({ KeyId: keyId });
    const arn = KeyMetadata?.Arn;
    if (arn === undefined || !isKeyArn(arn)) {
      throw new TypeError(`KMS returned no key ARN for "${keyId}".`);
    }

    return arn;
  } catch (error) {
    throw mapKmsError(error, { operation: 'DescribeKey', keyId });
  }
}
