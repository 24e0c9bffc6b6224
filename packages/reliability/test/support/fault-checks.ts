import { expect } from '@jest/globals';
import { HTTP_ERROR_CODES, type ApiHandler, type ApiResponse } from '@split-kms/api-lambda';

import { postJson } from '../../../api-lambda/test/support/service';
import { expectDocumentedOutcome, type Envelope } from './outcomes';

/** Text that would reveal the infrastructure behind the API in a response. */
const INFRASTRUCTURE_DETAIL = [
  /127\.0\.0\.1/u,
  /localhost/iu,
  /arn:aws/iu,
  /ECONN/u,
  /\bat .*\(/u,
  /softhsm/iu,
  /\.so\b/u,
  /CKR_/u,
  /Exception/u,
];

/** Asserts a documented error with this code and a message that names no host, key, library or stack. */
export function expectFault(response: ApiResponse, code: keyof typeof HTTP_ERROR_CODES): Envelope {
  const envelope = expectDocumentedOutcome(response);

  expect(envelope.error_code).toBe(code);
  expect(response.statusCode).toBe(HTTP_ERROR_CODES[code].status);
  for (const pattern of INFRASTRUCTURE_DETAIL) {
    expect(envelope.message).not.toMatch(pattern);
  }

  return envelope;
}

/** Encrypts through the handler and returns the ciphertext; fails the test on any error. */
export async function encryptOk(
  handle: ApiHandler,
  token: string,
  plaintext: string,
): Promise<string> {
  const response = await handle(postJson('/encrypt', { plaintext }, token));
  const envelope = expectDocumentedOutcome(response);
  expect(response.statusCode).toBe(200);

  return envelope.data['ciphertext'] as string;
}

/** Decrypts through the handler and returns the response. */
export async function decrypt(
  handle: ApiHandler,
  token: string,
  ciphertext: string,
): Promise<ApiResponse> {
  return handle(postJson('/decrypt', { ciphertext }, token));
}

/** Sends GET /healthz, deep or shallow. */
export async function health(handle: ApiHandler, deep = false): Promise<ApiResponse> {
  return handle({
    method: 'GET',
    path: '/healthz',
    headers: {},
    ...(deep ? { query: { deep: 'true' } } : {}),
  });
}
