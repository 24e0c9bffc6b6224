import { ApiError } from './api-error';

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encodes a plaintext string as UTF-8.
 *
 * @throws ApiError `INVALID_INPUT` when it is empty or contains a lone surrogate,
 *   which UTF-8 cannot encode (it would decrypt to a different string).
 */
export function encodePlaintext(plaintext: string): Uint8Array {
  // Precondition: the plaintext is not empty.
  if (plaintext.length === 0) {
    throw new ApiError('INVALID_INPUT', 'Field "plaintext" must not be empty.');
  }

  // Precondition: the plaintext is well-formed Unicode.
  // Otherwise its UTF-8 bytes would decode to a different string.
  if (!plaintext.isWellFormed()) {
    throw new ApiError(
      'INVALID_INPUT',
      'Field "plaintext" contains a lone surrogate and is not valid Unicode text.',
    );
  }

  return utf8Encoder.encode(plaintext);
}

/**
 * Decodes decrypted bytes as UTF-8 text.
 *
 * @throws ApiError `INVALID_CIPHERTEXT` when they are not UTF-8, which means
 *   the ciphertext was not made by this API from a string.
 */
export function decodePlaintext(bytes: Uint8Array): string {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    throw new ApiError(
      'INVALID_CIPHERTEXT',
      'Ciphertext decrypts to bytes that are not UTF-8 text.',
    );
  }
}
