import type { KeyShareCipherErrorCode } from '@split-kms/core';

/** One error code of the API: its HTTP status, the core codes it covers, and when it happens. */
export interface HttpErrorCodeEntry {
  readonly status: number;
  /** Core `KeyShareCipherError` codes that map to this code. */
  readonly coreCodes: readonly KeyShareCipherErrorCode[];
  readonly description: string;
}

/**
 * Every `error_code` the API returns, with its status. This is the single
 * table that maps errors to HTTP; tests compare it with docs/openapi.yaml.
 * 4xx codes are the caller's fault; 5xx codes are faults on the server side.
 */
export const HTTP_ERROR_CODES = Object.freeze({
  INVALID_INPUT: {
    status: 400,
    coreCodes: ['INVALID_PLAINTEXT'],
    description:
      'No body, body not JSON or not an object, plaintext or ciphertext missing or not a string, empty or invalid plaintext.',
  },
  INVALID_ENCRYPTION_CONTEXT: {
    status: 400,
    coreCodes: ['INVALID_ENCRYPTION_CONTEXT'],
    description:
      'The ewi claim cannot be an encryption context (for example, it is not well-formed Unicode).',
  },
  INVALID_CIPHERTEXT: {
    status: 400,
    coreCodes: ['MALFORMED_CIPHERTEXT', 'UNRECOGNIZED_CIPHERTEXT'],
    description: 'Ciphertext is empty, not standard base64, truncated, or in no configured format.',
  },
  DECRYPTION_FAILED: {
    status: 400,
    coreCodes: ['DECRYPTION_FAILED'],
    description: 'Ciphertext was altered, made under another key, or made for another wallet.',
  },
  ACCESS_DENIED: {
    status: 401,
    coreCodes: [],
    description:
      'Bearer token missing, malformed, expired, not yet valid, wrongly signed, or without a valid ewi claim.',
  },
  INVALID_PATH: { status: 404, coreCodes: [], description: 'No route for this method and path.' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    coreCodes: [],
    description: 'Request body is larger than MAX_BODY_BYTES.',
  },
  PLAINTEXT_TOO_LARGE: {
    status: 413,
    coreCodes: ['PLAINTEXT_TOO_LARGE'],
    description: "Plaintext is larger than the provider's limit (4096 bytes for AWS KMS).",
  },
  KEY_UNAVAILABLE: {
    status: 500,
    coreCodes: ['KEY_NOT_FOUND', 'KEY_UNUSABLE'],
    description: 'The configured key does not exist, is disabled or is pending deletion.',
  },
  KEY_ACCESS_DENIED: {
    status: 500,
    coreCodes: ['KEY_ACCESS_DENIED'],
    description: 'The key service denied this service access to the key.',
  },
  KEY_SERVICE_ERROR: {
    status: 500,
    coreCodes: ['PROVIDER_FAILURE'],
    description: 'The key service failed in an unexpected way.',
  },
  SERVICE_MISCONFIGURED: {
    status: 500,
    coreCodes: [],
    description:
      'The service configuration is invalid; it does not start until the deployment is fixed, so retrying does not help.',
  },
  UNKNOWN_ERROR: {
    status: 500,
    coreCodes: [],
    description: 'An unexpected error; the logs have the details.',
  },
  KEY_SERVICE_THROTTLED: {
    status: 503,
    coreCodes: ['PROVIDER_THROTTLED'],
    description:
      'The key service rejected the request for its rate. Retry after the Retry-After header.',
  },
  KEY_SERVICE_UNAVAILABLE: {
    status: 503,
    coreCodes: ['PROVIDER_UNAVAILABLE'],
    description: 'The key service cannot be reached or is unhealthy. Retrying may succeed.',
  },
  JWKS_UNAVAILABLE: {
    status: 503,
    coreCodes: [],
    description: 'The token signing keys (JWKS) could not be fetched. Retrying may succeed.',
  },
} as const satisfies Record<string, HttpErrorCodeEntry>);

/** An API `error_code`. */
export type HttpErrorCode = keyof typeof HTTP_ERROR_CODES;

const CODE_BY_CORE_CODE: ReadonlyMap<string, HttpErrorCode> = new Map(
  Object.entries(HTTP_ERROR_CODES).flatMap(([code, entry]) =>
    entry.coreCodes.map((coreCode: string) => [coreCode, code as HttpErrorCode] as const),
  ),
);

/** Returns the API code for a core error code. */
export function httpCodeForCoreCode(coreCode: KeyShareCipherErrorCode): HttpErrorCode {
  return CODE_BY_CORE_CODE.get(coreCode) ?? 'UNKNOWN_ERROR';
}
