import type { JSONWebKeySet } from 'jose';

import { JwtVerifier } from '../auth/jwt-verifier';
import { createLocalKeyResolver, createRemoteKeyResolver } from '../auth/key-resolver';
import type { AuthConfig } from '../config/api-config';
import { ConfigurationError } from '../config/configuration-error';

/**
 * Creates the token verifier: against `JWKS_URL`, or, in the local server's
 * development mode, against the development key pair's public JWKS.
 */
export function createJwtVerifier(
  auth: AuthConfig,
  developmentJwks: JSONWebKeySet | undefined,
): JwtVerifier {
  const keyResolver =
    auth.jwks.kind === 'remote'
      ? createRemoteKeyResolver({
          url: auth.jwks.url,
          timeoutMs: auth.jwksTimeoutMs,
          cacheMaxAgeSeconds: auth.jwksCacheMaxAgeSeconds,
          cooldownSeconds: auth.jwksCooldownSeconds,
        })
      : createLocalKeyResolver(requireDevelopmentJwks(developmentJwks));

  return new JwtVerifier({
    keyResolver,
    algorithms: auth.algorithms,
    ...(auth.issuer === undefined ? {} : { issuer: auth.issuer }),
    ...(auth.audience === undefined ? {} : { audience: auth.audience }),
    clockToleranceSeconds: auth.clockToleranceSeconds,
    verificationCache: {
      maxEntries: auth.verificationCacheMaxEntries,
      maxAgeSeconds: auth.verificationCacheMaxAgeSeconds,
    },
  });
}

function requireDevelopmentJwks(jwks: JSONWebKeySet | undefined): JSONWebKeySet {
  if (jwks === undefined) {
    throw new ConfigurationError([
      'JWKS_URL: is not set. Set it to the JWKS address of your token issuer.',
    ]);
  }

  return jwks;
}
