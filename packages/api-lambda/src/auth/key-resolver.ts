import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';

/** A jose key set: a key resolver that can also return the JWKS it holds. */
type KeySet = JWTVerifyGetKey & { readonly jwks: () => JSONWebKeySet | undefined };

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
const TOKEN_KEY_ERROR_CODES = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

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
 * "no key matches this token" from a JWKS that has keys, which is the token's
 * fault. Fetch errors (network, timeout, non-200, not JSON, an empty key
 * list, an unusable key) thus never become a 401, and never a 500.
 */
function wrapKeySetFailures(keySet: KeySet): JWTVerifyGetKey {
  return async (protectedHeader, token) => {
    try {
      return await keySet(protectedHeader, token);
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      if (typeof code === 'string' && TOKEN_KEY_ERROR_CODES.has(code) && hasKeys(keySet)) {
        throw error;
      }

      throw new JwksUnavailableError(
        'The token signing keys (JWKS) could not be loaded. Retry later.',
        {
          cause: error,
        },
      );
    }
  };
}

function hasKeys(keySet: KeySet): boolean {
  return (keySet.jwks()?.keys.length ?? 0) > 0;
}
