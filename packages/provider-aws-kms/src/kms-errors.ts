import {
  DecryptionFailedError,
  isKeyShareCipherError,
  KeyAccessDeniedError,
  KeyNotFoundError,
  KeyUnusableError,
  ProviderFailureError,
  ProviderThrottledError,
  ProviderUnavailableError,
  type KeyShareCipherError,
} from '@split-kms/core';

/** KMS API action that failed, named as in the KMS API reference. */
export type KmsAction = 'Encrypt' | 'Decrypt' | 'GenerateDataKey' | 'DescribeKey';

/** Context of a failed KMS call: the action and the key it named. */
export interface KmsCallContext {
  readonly operation: KmsAction;
  /** Key the call named, as configured or resolved. Appears in messages. */
  readonly keyId: string;
}

/**
 * Seconds a caller should wait after KMS throttled a request that the SDK had
 * already retried. An estimate: KMS returns no Retry-After value.
 */
export const THROTTLE_RETRY_AFTER_SECONDS = 1;

const DECRYPTION_FAILURES = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
const THROTTLING = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'TooManyRequestsException',
]);
const KEY_UNUSABLE = new Set([
  'DisabledException',
  'KMSInvalidStateException',
  'KeyUnavailableException',
  'InvalidKeyUsageException',
]);
const SERVICE_UNAVAILABLE = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/**
 * Maps any error of a KMS call to a core typed error with a stable code.
 * Messages name the key and the action, never plaintext, ciphertext or tokens.
 * The SDK error stays as `cause`: AWS SDK errors carry the error type, the
 * service's message and request metadata, but not the request payload.
 */
export function mapKmsError(error: unknown, call: KmsCallContext): KeyShareCipherError {
  if (isKeyShareCipherError(error)) {
    return error;
  }

  const name = errorName(error);
  const options = { cause: error };
  const action = `KMS ${call.operation} with key ${call.keyId}`;

  if (DECRYPTION_FAILURES.has(name)) {
    return new DecryptionFailedError(options);
  }
  if (THROTTLING.has(name)) {
    return new ProviderThrottledError(
      `${action} was throttled after retries; retry in ${THROTTLE_RETRY_AFTER_SECONDS} s or raise the KMS request quota.`,
      THROTTLE_RETRY_AFTER_SECONDS,
      options,
    );
  }
  if (KEY_UNUSABLE.has(name)) {
    return new KeyUnusableError(
      `${action} failed: the key is disabled, pending deletion or unusable (${name}).`,
      options,
    );
  }
  if (name === 'NotFoundException') {
    return new KeyNotFoundError(
      `${action} failed: the key does not exist in this account and region.`,
      options,
    );
  }
  if (name === 'AccessDeniedException') {
    return new KeyAccessDeniedError(
      `${action} failed: access denied by IAM or the key policy.`,
      options,
    );
  }
  if (SERVICE_UNAVAILABLE.has(name) || isServerFault(error) || isNetworkError(error)) {
    return new ProviderUnavailableError(
      `${action} failed: KMS is unreachable or unavailable (${name}).`,
      options,
    );
  }
  if (name === 'CredentialsProviderError') {
    return new ProviderFailureError(`${action} failed: no AWS credentials were found.`, options);
  }

  return new ProviderFailureError(`${action} failed unexpectedly (${name}).`, options);
}

/**
 * Tells whether KMS rejected a key lookup without saying which key: a
 * `NotFoundException`, or an `AccessDeniedException` that is not an IAM or key
 * policy denial. On `Decrypt` such a response may be about the key named inside
 * the ciphertext. AWS KMS then reports "The ciphertext refers to a customer master key
 * that does not exist", and moto 5 responds this way to a blob of another key. Or it is
 * about the configured key. Only a `DescribeKey` of the configured key tells.
 */
export function isAmbiguousKeyError(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'NotFoundException') {
    return true;
  }

  return name === 'AccessDeniedException' && !isAuthorizationDenial(error);
}

/** Tells whether an error is IAM or a key policy denying the caller ("... is not authorized to perform ..."). */
function isAuthorizationDenial(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;

  return typeof message === 'string' && /not authorized to perform/iu.test(message);
}

/** Tells whether an error is KMS rejecting the ciphertext itself (tampered, or wrong context). */
export function isInvalidCiphertextError(error: unknown): boolean {
  return errorName(error) === 'InvalidCiphertextException';
}

function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as Error).name === 'string') {
    return (error as Error).name;
  }

  return 'UnknownError';
}

/**
 * Tells whether the failure came from the server side: an error the SDK
 * marks as a server fault, or any HTTP 5xx response. A proxy or load balancer
 * in front of KMS returns 502, 503 or 504 with an HTML body, which the SDK
 * reports as a `SyntaxError` with `$metadata.httpStatusCode` and no `$fault`.
 */
function isServerFault(error: unknown): boolean {
  const candidate = error as {
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  } | null;
  const status = candidate?.$metadata?.httpStatusCode;

  return candidate?.$fault === 'server' || (typeof status === 'number' && status >= 500);
}

/**
 * Tells whether the request never got an HTTP answer: a refused or reset
 * connection, a DNS failure or a socket timeout. The SDK attaches
 * `$metadata` (attempts, retry delay) to every error of a call, but
 * `httpStatusCode` only when a response arrived. A Node.js system error code
 * (`ECONNREFUSED`) also counts, in case the SDK passes the error through as is.
 */
function isNetworkError(error: unknown): boolean {
  const candidate = error as {
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  } | null;
  if (candidate === null || typeof candidate !== 'object' || candidate.$fault !== undefined) {
    return false;
  }
  if (typeof candidate.code === 'string' && /^E[A-Z_]+$/u.test(candidate.code)) {
    return true;
  }

  return (
    typeof candidate.$metadata === 'object' && candidate.$metadata.httpStatusCode === undefined
  );
}
