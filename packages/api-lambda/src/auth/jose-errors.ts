import { AuthError } from './auth-errors';

interface JoseErrorFields {
  readonly code?: unknown;
  readonly claim?: unknown;
}

/**
 * Maps a jose verification error to an `AuthError` with a precise message,
 * or returns `undefined` when the error did not come from jose (a bug or a
 * runtime fault, which the caller rethrows).
 */
export function authErrorFromJose(error: unknown): AuthError | undefined {
  const { code, claim } = (error ?? {}) as JoseErrorFields;
  if (typeof code !== 'string' || !code.startsWith('ERR_')) {
    return undefined;
  }

  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new AuthError('TOKEN_EXPIRED', 'Token has expired.');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimError(claim);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthError('ALGORITHM_NOT_ALLOWED', 'Token signing algorithm is not allowed.');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthError('SIGNATURE_INVALID', 'Token signature is invalid.');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new AuthError('UNKNOWN_KEY', 'Token is signed by an unknown key.');
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new AuthError('UNKNOWN_KEY', 'Token names no key id and several keys match.');
    default:
      return new AuthError('MALFORMED_TOKEN', 'Bearer token is not a well-formed JWT.');
  }
}

function claimError(claim: unknown): AuthError {
  switch (claim) {
    case 'nbf':
      return new AuthError('TOKEN_NOT_YET_VALID', 'Token is not valid yet (nbf is in the future).');
    case 'iss':
      return new AuthError('ISSUER_MISMATCH', 'Token issuer is not accepted.');
    case 'aud':
      return new AuthError('AUDIENCE_MISMATCH', 'Token audience is not accepted.');
    default:
      return new AuthError('INVALID_CLAIM', `Token claim "${String(claim)}" is invalid.`);
  }
}
