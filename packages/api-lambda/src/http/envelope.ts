import type { ApiError } from './api-error';
import { statusName } from './status-names';
import type { ApiResponse } from './types';

/** The JSON body of every response. */
export interface Envelope {
  readonly data: Readonly<Record<string, unknown>>;
  readonly error_code: string;
  readonly message: string;
  readonly status: string;
}

const BASE_HEADERS = Object.freeze({
  'Content-Type': 'application/json',
  // Responses carry key shares: no cache may keep them.
  'Cache-Control': 'no-store',
});

/** Builds a 200 response with `data`. */
export function successResponse(
  data: Readonly<Record<string, unknown>>,
  extraHeaders: Readonly<Record<string, string>>,
): ApiResponse {
  return envelopeResponse(
    200,
    { data, error_code: '', message: '', status: statusName(200) },
    extraHeaders,
  );
}

/** Builds the error response of an `ApiError`, with `Retry-After` when it has one. */
export function errorResponse(
  error: ApiError,
  extraHeaders: Readonly<Record<string, string>>,
): ApiResponse {
  const headers =
    error.retryAfterSeconds === undefined
      ? extraHeaders
      : { ...extraHeaders, 'Retry-After': String(error.retryAfterSeconds) };
  const body: Envelope = {
    data: {},
    error_code: error.code,
    message: error.message,
    status: statusName(error.statusCode),
  };

  return envelopeResponse(error.statusCode, body, headers);
}

function envelopeResponse(
  statusCode: number,
  envelope: Envelope,
  extraHeaders: Readonly<Record<string, string>>,
): ApiResponse {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, ...extraHeaders },
    body: JSON.stringify(envelope),
  };
}
