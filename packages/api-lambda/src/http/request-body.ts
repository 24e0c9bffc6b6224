import { ApiError } from './api-error';

const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Returns the size of a body in bytes, as sent on the wire. */
export function bodyByteLength(body: string | Uint8Array | undefined): number {
  if (body === undefined) {
    return 0;
  }

  return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
}

/**
 * Parses a request body as a JSON object.
 *
 * @throws ApiError `INVALID_INPUT` when there is no body, it is not UTF-8 JSON, or not an object.
 */
export function parseJsonObject(
  body: string | Uint8Array | undefined,
): Readonly<Record<string, unknown>> {
  // Precondition: the request has a body.
  const text = bodyText(body);
  if (text.trim() === '') {
    throw new ApiError('INVALID_INPUT', 'Request body is missing. Send a JSON object.');
  }

  // Precondition: the body is JSON.
  // The parser's message is not passed on, because it quotes the input.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError('INVALID_INPUT', 'Request body is not valid JSON.');
  }

  // Precondition: the body is a JSON object.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(
      'INVALID_INPUT',
      `Request body must be a JSON object, not ${describeJsonType(value)}.`,
    );
  }

  return value as Record<string, unknown>;
}

/**
 * Returns a string field of a parsed body.
 *
 * @throws ApiError `INVALID_INPUT` when the field is missing or not a string.
 */
export function readStringField(body: Readonly<Record<string, unknown>>, field: string): string {
  const value = Object.hasOwn(body, field) ? body[field] : undefined;

  if (value === undefined) {
    throw new ApiError('INVALID_INPUT', `Field "${field}" is missing.`);
  }
  if (typeof value !== 'string') {
    throw new ApiError(
      'INVALID_INPUT',
      `Field "${field}" must be a string, not ${describeJsonType(value)}.`,
    );
  }

  return value;
}

function bodyText(body: string | Uint8Array | undefined): string {
  if (body === undefined || typeof body === 'string') {
    return body ?? '';
  }

  try {
    return strictUtf8Decoder.decode(body);
  } catch {
    throw new ApiError('INVALID_INPUT', 'Request body is not valid UTF-8.');
  }
}

function describeJsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }

  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
