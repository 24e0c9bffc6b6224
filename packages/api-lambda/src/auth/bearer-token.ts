import { AuthError } from './auth-errors';

/** Longest accepted `Authorization` header, in characters. Real tokens of the vendor are under 2 KiB. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

const BEARER_PREFIX = /^bearer(?: +|$)/i;

/**
 * Extracts the token from an `Authorization: Bearer <token>` header value.
 * The scheme is case-insensitive (RFC 9110 section 11.1).
 *
 * @throws AuthError when the header is missing, too long, of another scheme, or has an empty token.
 */
export function extractBearerToken(header: string | readonly string[] | undefined): string {
  // Precondition: exactly one Authorization header is present.
  if (header === undefined || header.length === 0) {
    throw new AuthError(
      'MISSING_HEADER',
      'Authorization header is missing. Send "Authorization: Bearer <token>".',
    );
  }
  if (typeof header !== 'string') {
    throw new AuthError('MULTIPLE_HEADERS', 'Send exactly one Authorization header.');
  }

  // Precondition: the header is short enough to parse.
  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    throw new AuthError(
      'TOKEN_TOO_LONG',
      `Authorization header is longer than the maximum of ${MAX_AUTHORIZATION_LENGTH} characters.`,
    );
  }

  // Precondition: the scheme is Bearer.
  const value = header.trim();
  const prefix = BEARER_PREFIX.exec(value);
  if (prefix === null) {
    throw new AuthError('WRONG_SCHEME', 'Authorization header must use the Bearer scheme.');
  }

  // Precondition: the token is not empty.
  const token = value.slice(prefix[0].length).trim();
  if (token === '') {
    throw new AuthError('EMPTY_TOKEN', 'Bearer token is empty.');
  }

  return token;
}
