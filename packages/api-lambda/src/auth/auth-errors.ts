/** Reason a request's credentials were rejected. Logged and used by tests, but never sent to the caller. */
export type AuthFailureReason =
  | 'MISSING_HEADER'
  | 'MULTIPLE_HEADERS'
  | 'WRONG_SCHEME'
  | 'EMPTY_TOKEN'
  | 'TOKEN_TOO_LONG'
  | 'MALFORMED_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'INVALID_CLAIM'
  | 'ISSUER_MISMATCH'
  | 'AUDIENCE_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'UNKNOWN_KEY'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'EWI_MISSING'
  | 'EWI_EMPTY'
  | 'EWI_NOT_STRING';

/**
 * The bearer token is missing or invalid, so the API returns 401 `ACCESS_DENIED`.
 * The message states what is wrong in plain words and never quotes the token.
 */
export class AuthError extends Error {
  readonly reason: AuthFailureReason;

  constructor(reason: AuthFailureReason, message: string) {
    super(message);
    this.name = 'AuthError';
    this.reason = reason;
  }
}

/**
 * The JWKS could not be fetched or used (unreachable, timed out, not JSON, no
 * keys): the API returns 503 `JWKS_UNAVAILABLE`, because the token may be fine.
 * The next request fetches again, so the service recovers on its own.
 */
export class JwksUnavailableError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'JwksUnavailableError';
  }
}
