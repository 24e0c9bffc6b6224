import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

import { JwksUnavailableError } from './auth-errors';

/** How to fetch a remote JWKS. */
export interface RemoteKeySetOptions {
  readonly url: URL;
  /** Timeout of one fetch, in milliseconds. */
  readonly timeoutMs: number;
  /** How long a fetched JWKS is used before a refetch, in seconds. */
  readonly cacheMaxAgeSeconds: number;
  /** Minimum time between refetches caused by an unknown key id, in seconds. */
  readonly cooldownSeconds: number;
}

/** jose errors that mean "the JWKS is fine but has no key for this token". */
const TOKEN_KEY_ERROR_CODES = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS']);

/** Creates a key resolver that fetches and caches a remote JWKS. */
export function createRemoteKeyResolver(options: RemoteKeySetOptions): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(options.url, {
    timeoutDuration: options.timeoutMs,
    cacheMaxAge: options.cacheMaxAgeSeconds * 1000,
    cooldownDuration: options.cooldownSeconds * 1000,
  });

  return wrapKeySetFailures(keySet);
}

/** Creates a key resolver over a JWKS held in memory, such as the local server's development keys. */
export function createLocalKeyResolver(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return wrapKeySetFailures(createLocalJWKSet(jwks));
}

/**
 * Turns every failure of the key set into `JwksUnavailableError`, except
 * "no key matches this token", which is the token's fault. Fetch errors
 * (network, timeout, non-200, not JSON, no keys, unusable key) thus never
 * become a 401, and they never reach the caller as a 500.
 */
function wrapKeySetFailures(keySet: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (protectedHeader, token) => {
    try {
      return await keySet(protectedHeader, token);
    } catch (error) {
      if (TOKEN_KEY_ERROR_CODES.has((error as { code?: unknown })?.code as string)) {
        throw error;
      }

      throw new JwksUnavailableError('The token signing keys (JWKS) could not be loaded. Retry later.', {
        cause: error,
      });
    }
  };
}
