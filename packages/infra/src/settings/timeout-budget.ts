/** HTTP API waits at most 30 s for a Lambda integration, so the function must finish one second earlier. */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 29;

/** Base delay of the AWS SDK for JavaScript v3 standard retry strategy after a throttling error, in ms. */
const SDK_THROTTLING_BACKOFF_BASE_MS = 500;

/** The SDK caps one backoff delay at 20 s. */
const SDK_MAX_BACKOFF_MS = 20_000;

/** Time for the handler's own work (parsing, logging, metrics) after its dependencies answered, in ms. */
const HANDLER_ALLOWANCE_MS = 1000;

/** Time for one PKCS#11 operation on an HSM in the same VPC, in ms. An estimate, not a measurement on CloudHSM. */
const HSM_OPERATION_ALLOWANCE_MS = 2000;

/** The inputs of the timeout arithmetic. */
export interface TimeoutInputs {
  readonly jwksTimeoutMs: number;
  readonly kmsRequestTimeoutMs: number;
  readonly kmsMaxAttempts: number;
  readonly usesKms: boolean;
  readonly usesHsm: boolean;
}

/**
 * Computes the function timeout, in whole seconds, that lets every dependency
 * fail by its own timeout first, so that the handler can still return its
 * JSON 503 and API Gateway never answers with its own timeout.
 *
 * The worst request fetches the JWKS until `jwksTimeoutMs`, then makes every
 * KMS attempt until `kmsRequestTimeoutMs`, waiting the SDK's longest
 * throttling backoff (500 ms × 2^n, with n counting retries from 1) between
 * attempts (KMS only when the deployment uses it, an HSM allowance only for
 * the CloudHSM variant). The defaults give 3000 + 3 × 2000 + (1000 + 2000) + 1000 ms = 13 s.
 */
export function computeFunctionTimeoutSeconds(inputs: TimeoutInputs): number {
  const kmsMs = inputs.usesKms
    ? inputs.kmsMaxAttempts * inputs.kmsRequestTimeoutMs + maxBackoffMs(inputs.kmsMaxAttempts)
    : 0;
  const hsmMs = inputs.usesHsm ? HSM_OPERATION_ALLOWANCE_MS : 0;
  const totalMs = inputs.jwksTimeoutMs + kmsMs + hsmMs + HANDLER_ALLOWANCE_MS;

  return Math.ceil(totalMs / 1000);
}

function maxBackoffMs(attempts: number): number {
  let total = 0;
  for (let retry = 1; retry < attempts; retry += 1) {
    total += Math.min(SDK_MAX_BACKOFF_MS, SDK_THROTTLING_BACKOFF_BASE_MS * 2 ** retry);
  }

  return total;
}
