/** HTTP API waits at most 30 s for a Lambda integration, so the function must finish one second earlier. */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 29;

/**
 * Base delay after a throttling error in the standard retry strategy of the
 * AWS SDK for JavaScript v3 (`Retry.throttlingDelay()` in @smithy/core 3.41), in ms.
 */
const SDK_THROTTLING_BACKOFF_BASE_MS = 1000;

/** The SDK caps one backoff delay at 20 s. */
const SDK_MAX_BACKOFF_MS = 20_000;

/** Time for the handler's own work (parsing, logging, metrics) after its dependencies responded, in ms. */
const HANDLER_ALLOWANCE_MS = 1000;

/** Maximum wait for a free PKCS#11 session: the default `acquireTimeoutMs` of the PKCS#11 provider, in ms. */
const HSM_SESSION_WAIT_MS = 5000;

/** Time for one PKCS#11 operation on an HSM in the same VPC, in ms. An estimate, not a measurement on CloudHSM. */
const HSM_OPERATION_MS = 1000;

/**
 * Start-up of the PKCS#11 provider, which the API runs in the first request of
 * a fresh function instance: the PIN secret read (the API gives Secrets
 * Manager 5000 ms), then `C_Initialize` and login (1000 ms, an estimate).
 */
const HSM_STARTUP_MS = 5000 + 1000;

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
 * JSON 503 and API Gateway never returns its own timeout error.
 *
 * The worst request fetches the JWKS until `jwksTimeoutMs`, then makes every
 * KMS attempt until `kmsRequestTimeoutMs`, waiting the SDK's longest
 * throttling backoff (1000 ms × 2^n before retry n, counting from 0) between
 * attempts, when the deployment uses KMS. The request timeout of
 * @smithy/node-http-handler runs from the start of the request, so it covers
 * the connection too. The CloudHSM variant adds the provider's start-up, the
 * longest wait for a PKCS#11 session and one HSM operation.
 *
 * The KMS defaults give 3000 + 3 × 2000 + (1000 + 2000) + 1000 ms = 13 s.
 */
export function computeFunctionTimeoutSeconds(inputs: TimeoutInputs): number {
  const kmsMs = inputs.usesKms
    ? inputs.kmsMaxAttempts * inputs.kmsRequestTimeoutMs + maxBackoffMs(inputs.kmsMaxAttempts)
    : 0;
  const hsmMs = inputs.usesHsm ? HSM_STARTUP_MS + HSM_SESSION_WAIT_MS + HSM_OPERATION_MS : 0;
  const totalMs = inputs.jwksTimeoutMs + kmsMs + hsmMs + HANDLER_ALLOWANCE_MS;

  return Math.ceil(totalMs / 1000);
}

function maxBackoffMs(attempts: number): number {
  let total = 0;
  for (let retry = 0; retry < attempts - 1; retry += 1) {
    total += Math.min(SDK_MAX_BACKOFF_MS, SDK_THROTTLING_BACKOFF_BASE_MS * 2 ** retry);
  }

  return total;
}
