/**
 * Dependency-injection tokens. They are plain symbols, so this package does
 * not depend on a container; `tsyringe` accepts them as injection tokens.
 */

/** The composed `KeyShareCipher` (usually a `KeyShareCipherRouter`) the API uses. */
export const KEY_SHARE_CIPHER: unique symbol = Symbol.for('split-kms.KeyShareCipher');
