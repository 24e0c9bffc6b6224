import type { KMS } from '@aws-sdk/client-kms';
import { DecryptionFailedError, type KeyShareCipherError } from '@split-kms/core';

import { isAmbiguousKeyError, mapKmsError } from './kms-errors';

/**
 * Maps a failed KMS `Decrypt` to a typed error, telling apart a ciphertext
 * that names a key this service cannot use (`DecryptionFailedError`, the
 * caller's fault) from a configured key that is missing or denied
 * (`KeyNotFoundError` or `KeyAccessDeniedError`, the operator's fault).
 * Only ambiguous responses cost one extra `DescribeKey` call.
 */
export async function explainDecryptFailure(
  client: KMS,
  error: unknown,
  keyArn: string,
): Promise<KeyShareCipherError> {
  const failure = mapKmsError(error, { operation: 'Decrypt', keyId: keyArn });
  if (!isAmbiguousKeyError(error)) {
    return failure;
  }

  try {
    await client.describeKey({ KeyId: keyArn });
  } catch (describeError) {
    return mapKmsError(describeError, { operation: 'DescribeKey', keyId: keyArn });
  }

  // Postcondition: the configured key exists and is visible, so the ciphertext named another key.
  return new DecryptionFailedError({ cause: error });
}
