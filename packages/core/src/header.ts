import { concatBytes } from './context';
import { MalformedCiphertextError } from './errors';

/**
 * The Split KMS ciphertext header, for providers that produce their own
 * AES-GCM output (the software and PKCS#11 providers). The byte layout is
 * documented in this package's README; this file is its implementation.
 */

/** ASCII "SKMS": no AWS KMS blob or AWS Encryption SDK message starts with 0x53. */
export const HEADER_MAGIC: Uint8Array = Uint8Array.of(0x53, 0x4b, 0x4d, 0x53);

/** The only header version this release writes and reads. */
export const HEADER_VERSION = 1;

/** Algorithm ids that a header may name. */
export const CiphertextAlgorithm = Object.freeze({
  /** AES-256-GCM, 96-bit IV, 128-bit tag, AAD = header bytes followed by the canonical context. */
  AES_256_GCM: 1,
} as const);

/**
 * Provider ids that a header may name, so the router picks the provider that
 * made a ciphertext. New providers take the next free number.
 */
export const CiphertextProviderId = Object.freeze({
  SOFTWARE: 1,
  PKCS11: 2,
} as const);

export const AES_GCM_IV_BYTES = 12;
export const AES_GCM_TAG_BYTES = 16;
export const AES_256_KEY_BYTES = 32;

/** Maximum length of a key label in a header, in UTF-8 bytes. */
export const MAX_KEY_LABEL_BYTES = 255;

const FIXED_PREFIX_BYTES = HEADER_MAGIC.length + 4; // magic, version, provider, algorithm, label length

/** The fields of a parsed header. */
export interface CiphertextHeader {
  readonly providerId: number;
  readonly algorithm: number;
  /** Label of the key (in an HSM: `CKA_LABEL`). */
  readonly keyLabel: string;
  /** Version of the key under that label, from 1 (in an HSM: derived from `CKA_ID`). */
  readonly keyVersion: number;
  readonly iv: Uint8Array;
}

/** A ciphertext split into its header and the encrypted payload (ciphertext then tag). */
export interface ParsedCiphertext {
  readonly header: CiphertextHeader;
  /** The exact header bytes, authenticated as the first part of the AAD. */
  readonly headerBytes: Uint8Array;
  readonly payload: Uint8Array;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Serializes a header. Throws `TypeError` for fields a provider should never
 * pass, since this is called with the provider's own values, not caller input.
 */
export function serializeHeader(header: CiphertextHeader): Uint8Array {
  const label = utf8.encode(header.keyLabel);
  checkHeaderFields(header, label);

  const fixed = new Uint8Array(FIXED_PREFIX_BYTES);
  fixed.set(HEADER_MAGIC, 0);
  fixed[4] = HEADER_VERSION;
  fixed[5] = header.providerId;
  fixed[6] = header.algorithm;
  fixed[7] = label.length;

  const version = new Uint8Array(4);
  new DataView(version.buffer).setUint32(0, header.keyVersion, false);

  return concatBytes([fixed, label, version, Uint8Array.of(header.iv.length), header.iv]);
}

function checkHeaderFields(header: CiphertextHeader, label: Uint8Array): void {
  if (!Number.isInteger(header.providerId) || header.providerId < 1 || header.providerId > 255) {
    throw new TypeError('"providerId" must be an integer from 1 to 255.');
  }
  if (header.algorithm !== CiphertextAlgorithm.AES_256_GCM) {
    throw new TypeError(`"algorithm" ${header.algorithm} is not supported.`);
  }
  if (label.length === 0 || label.length > MAX_KEY_LABEL_BYTES) {
    throw new TypeError(`"keyLabel" must be 1 to ${MAX_KEY_LABEL_BYTES} UTF-8 bytes.`);
  }
  if (
    !Number.isInteger(header.keyVersion) ||
    header.keyVersion < 1 ||
    header.keyVersion > 0xffffffff
  ) {
    throw new TypeError('"keyVersion" must be an integer from 1 to 4294967295.');
  }
  if (header.iv.length !== AES_GCM_IV_BYTES) {
    throw new TypeError(`"iv" must be ${AES_GCM_IV_BYTES} bytes.`);
  }
}

/** Tells whether bytes start with the header magic and a version this release reads. */
export function hasSplitKmsHeader(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_MAGIC.length + 1) {
    return false;
  }
  for (let index = 0; index < HEADER_MAGIC.length; index += 1) {
    if (bytes[index] !== HEADER_MAGIC[index]) {
      return false;
    }
  }

  return bytes[4] === HEADER_VERSION;
}

/** Tells whether bytes carry a Split KMS header that names the given provider. */
export function isCiphertextOfProvider(bytes: Uint8Array, providerId: number): boolean {
  return hasSplitKmsHeader(bytes) && bytes[5] === providerId;
}

/**
 * Splits a ciphertext into header and payload.
 *
 * @throws MalformedCiphertextError for any input that is not a complete,
 *   well-formed header followed by at least one encrypted byte and the tag.
 */
export function parseCiphertext(bytes: Uint8Array): ParsedCiphertext {
  if (!hasSplitKmsHeader(bytes)) {
    throw new MalformedCiphertextError('Ciphertext does not start with a Split KMS header.');
  }
  if (bytes.length < FIXED_PREFIX_BYTES) {
    throw new MalformedCiphertextError('Ciphertext header is truncated.');
  }

  const providerId = bytes[5]!;
  const algorithm = bytes[6]!;
  const labelLength = bytes[7]!;
  if (algorithm !== CiphertextAlgorithm.AES_256_GCM) {
    throw new MalformedCiphertextError(`Ciphertext names unsupported algorithm ${algorithm}.`);
  }
  if (providerId === 0 || labelLength === 0) {
    throw new MalformedCiphertextError('Ciphertext header has an invalid provider or key label.');
  }

  const versionOffset = FIXED_PREFIX_BYTES + labelLength;
  const ivOffset = versionOffset + 5;
  if (bytes.length < ivOffset) {
    throw new MalformedCiphertextError('Ciphertext header is truncated.');
  }

  const keyLabel = decodeLabel(bytes.subarray(FIXED_PREFIX_BYTES, versionOffset));
  const keyVersion = new DataView(bytes.buffer, bytes.byteOffset + versionOffset, 4).getUint32(
    0,
    false,
  );
  const ivLength = bytes[versionOffset + 4]!;
  if (keyVersion === 0 || ivLength !== AES_GCM_IV_BYTES) {
    throw new MalformedCiphertextError(
      'Ciphertext header has an invalid key version or IV length.',
    );
  }

  const payloadOffset = ivOffset + ivLength;
  if (bytes.length < payloadOffset + AES_GCM_TAG_BYTES + 1) {
    throw new MalformedCiphertextError('Ciphertext is truncated.');
  }

  return {
    header: {
      providerId,
      algorithm,
      keyLabel,
      keyVersion,
      iv: bytes.slice(ivOffset, payloadOffset),
    },
    headerBytes: bytes.slice(0, payloadOffset),
    payload: bytes.slice(payloadOffset),
  };
}

function decodeLabel(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new MalformedCiphertextError('Ciphertext key label is not valid UTF-8.');
  }
}
