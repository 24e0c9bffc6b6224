import * as pkcs11js from 'pkcs11js';

import {
  DecryptionFailedError,
  KeyAccessDeniedError,
  KeyUnusableError,
  ProviderFailureError,
  ProviderUnavailableError,
  type KeyShareCipherError,
} from '@split-kms/core';

/** Marks an error of `C_Decrypt` itself, the only call whose failure may mean "wrong tag". */
export class DecryptStepError extends Error {
  constructor(readonly original: unknown) {
    super('C_Decrypt failed.', { cause: original });
  }
}

/**
 * Returns the `CKR_*` value of a `pkcs11js` error (also inside a
 * `DecryptStepError`), or `undefined` for any other value.
 */
export function returnValueOf(error: unknown): number | undefined {
  if (error instanceof DecryptStepError) {
    return returnValueOf(error.original);
  }
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }

  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'number' && typeof message === 'string' && message.startsWith('CKR_')) {
    return code;
  }

  // pkcs11js leaves some functions' errors unwrapped: `CKR_NAME:value` in the message, no code.
  const unwrapped = typeof message === 'string' ? /^CKR_[A-Z_]+:(\d+)$/u.exec(message) : null;

  return unwrapped === null ? undefined : Number(unwrapped[1]);
}

/** Tells whether an error carries exactly this `CKR_*` value. */
export function hasReturnValue(error: unknown, value: number): boolean {
  return returnValueOf(error) === value;
}

/**
 * Return values after which the sessions, the login or the object handles of
 * this process are gone: a closed session, a token that was reset or removed,
 * a logout, or a library that was finalized. SoftHSM2 reports a key handle
 * that went stale with a logout as an invalid object handle. The provider
 * starts again from `C_Initialize` on the next request.
 */
const CONNECTION_LOST = new Set<number>([
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
  pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
  pkcs11js.CKR_OBJECT_HANDLE_INVALID,
  pkcs11js.CKR_KEY_HANDLE_INVALID,
]);

/**
 * Return values of `C_Decrypt` for a ciphertext that fails authentication.
 * SoftHSM2 2.6 returns `CKR_GENERAL_ERROR` for a wrong GCM tag, so that value
 * counts here too, but only from `C_Decrypt` itself.
 */
const DECRYPTION_REJECTED = new Set<number>([
  pkcs11js.CKR_ENCRYPTED_DATA_INVALID,
  pkcs11js.CKR_ENCRYPTED_DATA_LEN_RANGE,
  pkcs11js.CKR_GENERAL_ERROR,
]);

const KEY_NOT_PERMITTED = new Set<number>([
  pkcs11js.CKR_KEY_FUNCTION_NOT_PERMITTED,
  pkcs11js.CKR_KEY_TYPE_INCONSISTENT,
  pkcs11js.CKR_KEY_SIZE_RANGE,
]);

/** Tells whether the error means the sessions or login must be set up again. */
export function isConnectionLost(error: unknown): boolean {
  const value = returnValueOf(error);

  return value !== undefined && CONNECTION_LOST.has(value);
}

/** Tells whether `C_Decrypt` rejected the ciphertext itself. */
export function isDecryptionRejected(error: unknown): boolean {
  const value = returnValueOf(error);

  return value !== undefined && DECRYPTION_REJECTED.has(value);
}

/**
 * Tells whether an operation that failed with this error may still be active
 * on its session. Per PKCS#11, `C_Encrypt` and `C_Decrypt` end the operation
 * on every return value but `CKR_BUFFER_TOO_SMALL`; a non-PKCS#11 error from
 * the binding leaves the state unknown.
 */
export function mayLeaveOperationActive(error: unknown): boolean {
  const value = returnValueOf(error);

  return (
    value === undefined ||
    value === pkcs11js.CKR_BUFFER_TOO_SMALL ||
    value === pkcs11js.CKR_OPERATION_ACTIVE
  );
}

/** Converts an error of an encrypt or decrypt call into the core error that the caller receives. */
export function toOperationError(
  error: unknown,
  operation: 'encrypt' | 'decrypt',
  cause: unknown = error,
): KeyShareCipherError {
  const value = returnValueOf(error);

  if (isConnectionLost(error)) {
    return new ProviderUnavailableError(
      `The HSM session was lost during ${operation}; the provider reconnects on the next request.`,
      { cause },
    );
  }
  if (value !== undefined && KEY_NOT_PERMITTED.has(value)) {
    return new KeyUnusableError(`The HSM key is not allowed to ${operation} with AES-GCM.`, {
      cause,
    });
  }
  if (value === pkcs11js.CKR_DEVICE_ERROR || value === pkcs11js.CKR_DEVICE_MEMORY) {
    return new ProviderUnavailableError(`The HSM failed during ${operation}.`, { cause });
  }

  return new ProviderFailureError(`The HSM ${operation} operation failed.`, { cause });
}

/** Wraps the error of `C_Decrypt` itself: a rejected ciphertext or any other failure. */
export function toDecryptError(error: unknown, cause: unknown = error): KeyShareCipherError {
  if (isDecryptionRejected(error)) {
    return new DecryptionFailedError({ cause });
  }

  return toOperationError(error, 'decrypt', cause);
}

/** Converts a `C_Login` error into the typed error a start-up or `check` reports. */
export function toLoginError(error: unknown): KeyShareCipherError {
  const value = returnValueOf(error);
  if (
    value === pkcs11js.CKR_PIN_INCORRECT ||
    value === pkcs11js.CKR_PIN_INVALID ||
    value === pkcs11js.CKR_PIN_LEN_RANGE
  ) {
    return new KeyAccessDeniedError('HSM login failed: the PIN is incorrect. Check PKCS11_PIN.', {
      cause: error,
    });
  }
  if (value === pkcs11js.CKR_PIN_LOCKED || value === pkcs11js.CKR_PIN_EXPIRED) {
    return new KeyAccessDeniedError('HSM login failed: the PIN is locked or expired.', {
      cause: error,
    });
  }
  if (
    value === pkcs11js.CKR_USER_ANOTHER_ALREADY_LOGGED_IN ||
    value === pkcs11js.CKR_USER_PIN_NOT_INITIALIZED
  ) {
    return new KeyAccessDeniedError(
      'HSM login failed: the crypto user cannot log in to this token now.',
      {
        cause: error,
      },
    );
  }

  return toConnectionError(error, error);
}

/** Converts an error while connecting (slot, session, key lookup) into `ProviderUnavailableError`. */
export function toConnectionError(error: unknown, cause: unknown): KeyShareCipherError {
  const value = returnValueOf(error);
  const name = value === undefined ? 'an unknown error' : String((error as Error).message);

  return new ProviderUnavailableError(`Connecting to the HSM token failed with ${name}.`, {
    cause,
  });
}
