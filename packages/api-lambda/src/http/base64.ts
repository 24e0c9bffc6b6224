import { ApiError } from './api-error';

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes strict standard base64 (RFC 4648 section 4): the alphabet
 * `A-Z a-z 0-9 + /`, padding as required, no whitespace, no URL-safe
 * characters, and zero bits in the unused part of the last character, so every
 * ciphertext has exactly one text form.
 *
 * @throws ApiError `INVALID_CIPHERTEXT` when the text is empty or not such base64.
 */
export function decodeStrictBase64(text: string): Uint8Array {
  // Precondition: the ciphertext is not empty.
  if (text.length === 0) {
    throw new ApiError('INVALID_CIPHERTEXT', 'Ciphertext is empty.');
  }

  // Precondition: the ciphertext is canonical standard base64.
  const bytes = STANDARD_BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (bytes === undefined || bytes.toString('base64') !== text) {
    throw new ApiError('INVALID_CIPHERTEXT', 'Ciphertext is not valid standard base64.');
  }

  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Encodes bytes as standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}
