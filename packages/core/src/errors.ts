/**
 * Stable codes of every error a `KeyShareCipher` may throw. Callers switch on
 * these codes; the API maps each one to an HTTP status in a single table.
 */
export type KeyShareCipherErrorCode =
  | 'INVALID_ENCRYPTION_CONTEXT'
  | 'INVALID_PLAINTEXT'
  | 'PLAINTEXT_TOO_LARGE'
  | 'MALFORMED_CIPHERTEXT'
  | 'UNRECOGNIZED_CIPHERTEXT'
  | 'DECRYPTION_FAILED'
  | 'KEY_NOT_FOUND'
  | 'KEY_UNUSABLE'
  | 'KEY_ACCESS_DENIED'
  | 'PROVIDER_THROTTLED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_FAILURE';

/** Codes that mean "this ciphertext does not decrypt under this context". */
export const DECRYPT_INPUT_ERROR_CODES: readonly KeyShareCipherErrorCode[] = Object.freeze([
  'MALFORMED_CIPHERTEXT',
  'UNRECOGNIZED_CIPHERTEXT',
  'DECRYPTION_FAILED',
]);

const ERROR_BRAND = Symbol.for('split-kms.KeyShareCipherError');

/** Options shared by every typed error. `cause` keeps the provider's own error for logs. */
export interface KeyShareCipherErrorOptions {
  readonly cause?: unknown;
}

/**
 * Base class of every error thrown by a `KeyShareCipher`.
 *
 * Messages never contain plaintext, ciphertext, tokens or key material, so an
 * error may be logged whole. Providers must keep that rule for `cause` too.
 */
export class KeyShareCipherError extends Error {
  readonly code: KeyShareCipherErrorCode;

  constructor(
    code: KeyShareCipherErrorCode,
    message: string,
    options?: KeyShareCipherErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

/**
 * Tells whether a value is a `KeyShareCipherError`, also when it comes from
 * another copy of this package (a bundle, or two installed versions).
 */
export function isKeyShareCipherError(value: unknown): value is KeyShareCipherError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[ERROR_BRAND] === true
  );
}

/** The encryption context is not a valid string map. */
export class InvalidEncryptionContextError extends KeyShareCipherError {
  constructor(message: string) {
    super('INVALID_ENCRYPTION_CONTEXT', message);
  }
}

/** The plaintext is empty or not a byte array. */
export class InvalidPlaintextError extends KeyShareCipherError {
  constructor(message: string) {
    super('INVALID_PLAINTEXT', message);
  }
}

/** The plaintext is longer than the provider accepts. */
export class PlaintextTooLargeError extends KeyShareCipherError {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super('PLAINTEXT_TOO_LARGE', `Plaintext is larger than the maximum of ${maxBytes} bytes.`);
    this.maxBytes = maxBytes;
  }
}

/** The ciphertext has a recognised format but its structure is invalid. */
export class MalformedCiphertextError extends KeyShareCipherError {
  constructor(message: string, options?: KeyShareCipherErrorOptions) {
    super('MALFORMED_CIPHERTEXT', message, options);
  }
}

/** No configured provider recognises the ciphertext's format. */
export class UnrecognizedCiphertextError extends KeyShareCipherError {
  constructor(message = 'Ciphertext format is not recognised by any configured provider.') {
    super('UNRECOGNIZED_CIPHERTEXT', message);
  }
}

/**
 * Authenticated decryption failed: the ciphertext was altered, was made under
 * another key, or was bound to another encryption context. These cases share
 * one code and one message on purpose, so a caller learns nothing about which.
 */
export class DecryptionFailedError extends KeyShareCipherError {
  static readonly MESSAGE =
    'Decryption failed: the ciphertext is invalid or was not encrypted for this context.';

  constructor(options?: KeyShareCipherErrorOptions) {
    super('DECRYPTION_FAILED', DecryptionFailedError.MESSAGE, options);
  }
}

/** The configured key does not exist. */
export class KeyNotFoundError extends KeyShareCipherError {
  constructor(message: string, options?: KeyShareCipherErrorOptions) {
    super('KEY_NOT_FOUND', message, options);
  }
}

/** The key exists but cannot be used now (disabled, pending deletion, wrong usage). */
export class KeyUnusableError extends KeyShareCipherError {
  constructor(message: string, options?: KeyShareCipherErrorOptions) {
    super('KEY_UNUSABLE', message, options);
  }
}

/** The provider denied this service access to the key. */
export class KeyAccessDeniedError extends KeyShareCipherError {
  constructor(message: string, options?: KeyShareCipherErrorOptions) {
    super('KEY_ACCESS_DENIED', message, options);
  }
}

/** The provider rejected the request for its rate, after the client's retries. */
export class ProviderThrottledError extends KeyShareCipherError {
  /** Seconds after which a retry is likely to succeed. */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, options?: KeyShareCipherErrorOptions) {
    super('PROVIDER_THROTTLED', message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The provider could not be reached, timed out, or lost its session. Retrying may succeed. */
export class ProviderUnavailableError extends KeyShareCipherError {
  constructor(message: string, options?: KeyShareCipherErrorOptions) {
    super('PROVIDER_UNAVAILABLE', message, options);
  }
}

/** The provider failed in a way that none of the other codes describe. */
export class ProviderFailureError extends KeyShareCipherError {
  constructor(message: string, options?: KeyShareCipherErrorOptions) {
    super('PROVIDER_FAILURE', message, options);
  }
}
