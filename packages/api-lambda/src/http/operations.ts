import type { KeyShareCipher } from '@split-kms/core';

import type { VerifiedCaller } from '../auth/jwt-verifier';
import type { RequestLogger } from '../logging/request-logger';
import { ApiError } from './api-error';
import { decodeStrictBase64, encodeBase64 } from './base64';
import { getHeader } from './headers';
import { decodePlaintext, encodePlaintext } from './plaintext';
import { parseJsonObject, readStringField } from './request-body';
import type { RequestState } from './request-state';
import type { ApiRequest, HeaderValue } from './types';

/** Verifies the `Authorization` header of a request. */
export interface CallerVerifier {
  verify(authorization: HeaderValue): Promise<VerifiedCaller>;
}

/** Dependencies of the operations. */
export interface OperationDependencies {
  readonly cipher: KeyShareCipher;
  readonly verifier: CallerVerifier;
  /** Whether `?deep=true` runs the providers' health checks. */
  readonly deepHealthCheck: boolean;
}

type Data = Readonly<Record<string, unknown>>;

/** POST /encrypt: `{ plaintext }` in, `{ ciphertext }` out, bound to the caller's `ewi`. */
export async function encryptOperation(
  dependencies: OperationDependencies,
  request: ApiRequest,
  state: RequestState,
): Promise<Data> {
  const ewi = await verifyCaller(dependencies, request, state);
  const plaintext = encodePlaintext(readStringField(parseJsonObject(request.body), 'plaintext'));

  const ciphertext = await dependencies.cipher.encrypt(plaintext, { ewi });

  return { ciphertext: encodeBase64(ciphertext) };
}

/** POST /decrypt: `{ ciphertext }` in, `{ plaintext }` out, only for the `ewi` it was made for. */
export async function decryptOperation(
  dependencies: OperationDependencies,
  request: ApiRequest,
  state: RequestState,
): Promise<Data> {
  const ewi = await verifyCaller(dependencies, request, state);
  const ciphertext = decodeStrictBase64(
    readStringField(parseJsonObject(request.body), 'ciphertext'),
  );
  state.provider = providerNameFor(dependencies.cipher, ciphertext);

  const plaintext = await dependencies.cipher.decrypt(ciphertext, { ewi });

  return { plaintext: decodePlaintext(plaintext) };
}

/**
 * GET /healthz: `{}` while the process runs. With `?deep=true` (unless
 * disabled by configuration) it also runs the providers' health checks and
 * returns 503 `KEY_SERVICE_UNAVAILABLE` when one fails.
 */
export async function healthOperation(
  dependencies: OperationDependencies,
  request: ApiRequest,
  log: RequestLogger,
): Promise<Data> {
  if (request.query?.['deep'] !== 'true' || !dependencies.deepHealthCheck) {
    return {};
  }

  const health = await dependencies.cipher.checkHealth();
  if (!health.healthy) {
    log.error('Deep health check failed', { provider: health.provider, detail: health.detail });
    throw new ApiError('KEY_SERVICE_UNAVAILABLE', 'The key service is unhealthy.');
  }

  return {};
}

async function verifyCaller(
  dependencies: OperationDependencies,
  request: ApiRequest,
  state: RequestState,
): Promise<string> {
  const { ewi } = await dependencies.verifier.verify(getHeader(request.headers, 'authorization'));
  state.ewi = ewi;

  return ewi;
}

function providerNameFor(cipher: KeyShareCipher, ciphertext: Uint8Array): string {
  const router = cipher as Partial<{ providerFor(bytes: Uint8Array): KeyShareCipher | undefined }>;

  return router.providerFor?.(ciphertext)?.name ?? cipher.name;
}
