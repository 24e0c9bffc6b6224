import { hasSplitKmsHeader } from './header';

/**
 * The ciphertext formats a deployment may hold:
 * - `split-kms`: our header followed by AES-GCM output (software and PKCS#11 providers);
 * - `aws-encryption-sdk`: an AWS Encryption SDK message (the KMS provider's envelope mode);
 * - `legacy`: anything else, treated as a raw AWS KMS `CiphertextBlob`, which is what the
 *   earlier service stored and what the KMS provider's direct mode writes.
 */
export type CiphertextFormat = 'split-kms' | 'aws-encryption-sdk' | 'legacy';

/** Committing AWS Encryption SDK suites, as they appear in a version 2 message header. */
const SDK_V2_SUITES = new Set([0x0478, 0x0578]);

/**
 * Names the format of a ciphertext from its first bytes. This never decrypts,
 * so a `legacy` result only means "not one of the other two".
 */
export function detectCiphertextFormat(bytes: Uint8Array): CiphertextFormat {
  if (hasSplitKmsHeader(bytes)) {
    return 'split-kms';
  }
  if (isEncryptionSdkMessage(bytes)) {
    return 'aws-encryption-sdk';
  }

  return 'legacy';
}

/**
 * Tells whether bytes start like an AWS Encryption SDK message: version 1 is
 * `0x01 0x80` (type "customer authenticated encrypted data"), version 2 is
 * `0x02` and a committing suite id. AWS KMS blobs start `0x01 0x02`, so the
 * two never collide.
 */
export function isEncryptionSdkMessage(bytes: Uint8Array): boolean {
  if (bytes.length < 3) {
    return false;
  }
  if (bytes[0] === 0x01) {
    return bytes[1] === 0x80;
  }
  if (bytes[0] === 0x02) {
    return SDK_V2_SUITES.has((bytes[1]! << 8) | bytes[2]!);
  }

  return false;
}
