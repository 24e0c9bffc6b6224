import { RESERVED_CONTEXT_KEY_PREFIX, type EncryptionContext } from '@split-kms/core';

/**
 * Tells whether a decrypted message was bound to exactly the caller's
 * context: every caller pair is present with the same value, and the message
 * has no other pair except those the Encryption SDK adds itself (`aws-crypto-`).
 */
export function isMessageContextOf(
  messageContext: Readonly<Record<string, string>>,
  expected: EncryptionContext,
): boolean {
  const ownEntries = Object.entries(messageContext).filter(
    ([key]) => !key.startsWith(RESERVED_CONTEXT_KEY_PREFIX),
  );
  if (ownEntries.length !== Object.keys(expected).length) {
    return false;
  }

  return ownEntries.every(
    ([key, value]) => Object.hasOwn(expected, key) && expected[key] === value,
  );
}
