import { expect } from '@jest/globals';
import { HTTP_ERROR_CODES, type ApiResponse } from '@split-kms/api-lambda';

/** The response envelope of the HTTP contract. */
export interface Envelope {
  readonly data: Record<string, unknown>;
  readonly error_code: string;
  readonly message: string;
  readonly status: string;
}

/**
 * Asserts that a response is either a 2xx success envelope or an error whose
 * `error_code` is in `HTTP_ERROR_CODES` with that code's status, and never
 * `UNKNOWN_ERROR`. Returns the parsed envelope.
 */
export function expectDocumentedOutcome(response: ApiResponse): Envelope {
  const envelope = JSON.parse(response.body) as Envelope;

  if (response.statusCode >= 200 && response.statusCode < 300) {
    expect(envelope.status).toBe('OK');
    expect(envelope.error_code).toBe('');
    return envelope;
  }

  expect(Object.keys(HTTP_ERROR_CODES)).toContain(envelope.error_code);
  expect(envelope.error_code).not.toBe('UNKNOWN_ERROR');
  const entry = HTTP_ERROR_CODES[envelope.error_code as keyof typeof HTTP_ERROR_CODES];
  expect(response.statusCode).toBe(entry.status);

  return envelope;
}
