import { isKeyShareCipherError, type KeyShareCipherError } from '@split-kms/core';

import { AuthError, JwksUnavailableError } from '../auth/auth-errors';
import { isConfigurationError } from '../config/configuration-error';
import { ApiError } from './api-error';
import { HTTP_ERROR_CODES, httpCodeForCoreCode, type HttpErrorCode } from './error-codes';

/**
 * Messages of server-side codes. Core messages of these errors may name keys,
 * regions or libraries, which the logs get and the caller does not.
 */
const SERVER_MESSAGES: Partial<Record<HttpErrorCode, string>> = {
  KEY_UNAVAILABLE: 'The encryption key is not available.',
  KEY_ACCESS_DENIED: 'The service is not allowed to use the encryption key.',
  KEY_SERVICE_ERROR: 'The key service failed.',
  KEY_SERVICE_UNAVAILABLE: 'The key service is unavailable. Retry later.',
  SERVICE_MISCONFIGURED: 'The service is misconfigured. The operator must fix its configuration.',
  UNKNOWN_ERROR: 'An unexpected error occurred.',
};

/**
 * Converts any thrown value into the `ApiError` the caller receives. Errors
 * that none of the known types describe become `UNKNOWN_ERROR`.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) {
    return error;
  }
  if (error instanceof AuthError) {
    return new ApiError('ACCESS_DENIED', error.message);
  }
  if (error instanceof JwksUnavailableError) {
    return new ApiError('JWKS_UNAVAILABLE', error.message);
  }
  if (isKeyShareCipherError(error)) {
    return fromCipherError(error);
  }
  if (isConfigurationError(error)) {
    return serverError('SERVICE_MISCONFIGURED');
  }

  return serverError('UNKNOWN_ERROR');
}

function fromCipherError(error: KeyShareCipherError): ApiError {
  const code = httpCodeForCoreCode(error.code);

  if (code === 'KEY_SERVICE_THROTTLED') {
    const retryAfterSeconds = Math.max(1, Math.ceil(readRetryAfter(error)));

    return new ApiError(
      code,
      `The key service is busy. Retry after ${retryAfterSeconds} seconds.`,
      {
        retryAfterSeconds,
      },
    );
  }
  if (HTTP_ERROR_CODES[code].status >= 500) {
    return serverError(code);
  }

  return new ApiError(code, error.message);
}

function serverError(code: HttpErrorCode): ApiError {
  return new ApiError(code, SERVER_MESSAGES[code] ?? 'The service failed.');
}

function readRetryAfter(error: KeyShareCipherError): number {
  const value = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;

  return typeof value === 'number' && Number.isFinite(value) ? value : 1;
}
