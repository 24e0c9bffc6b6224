/**
 * Upper-snake names of the statuses this API returns, as the envelope's
 * `status` field carries them. Fixed here instead of derived from Node.js's
 * `STATUS_CODES`, whose wording changes between versions (413).
 */
const STATUS_NAMES: Readonly<Record<number, string>> = Object.freeze({
  200: 'OK',
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
});

/** Returns the envelope's `status` for an HTTP status code, such as `NOT_FOUND` for 404. */
export function statusName(statusCode: number): string {
  return STATUS_NAMES[statusCode] ?? `HTTP_${statusCode}`;
}
