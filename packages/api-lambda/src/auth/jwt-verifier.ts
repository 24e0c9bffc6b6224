import {
  decodeProtectedHeader,
  jwtVerify,
  type CompactJWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

import { AuthError, JwksUnavailableError } from './auth-errors';
import { extractBearerToken } from './bearer-token';
import { authErrorFromJose } from './jose-errors';
import { verifyOnFastPath } from './rsa-fast-path';
import { tokenId, VerificationCache, type VerificationCacheOptions } from './verification-cache';

/** Options of `JwtVerifier`. */
export interface JwtVerifierOptions {
  /** Resolves the verification key, from `createRemoteKeyResolver` or `createLocalKeyResolver`. */
  readonly keyResolver: JWTVerifyGetKey;
  /** Accepted `alg` values. Never `none` or a symmetric algorithm. */
  readonly algorithms: readonly string[];
  /** Required `iss`. Not checked when unset. */
  readonly issuer?: string;
  /** Required `aud`. Not checked when unset. */
  readonly audience?: string;
  /** Leeway for `exp` and `nbf`, in seconds. */
  readonly clockToleranceSeconds: number;
  /** Limits of the cache of successful verifications of identical tokens. @default no cache */
  readonly verificationCache?: VerificationCacheOptions;
}

/** The only part of a verified token that the API uses. */
export interface VerifiedCaller {
  /** The wallet id, bound as the encryption context `{ ewi }`. */
  readonly ewi: string;
}

/** Verifies bearer tokens and returns the caller's wallet id. */
export class JwtVerifier {
  readonly #options: JwtVerifierOptions;
  readonly #cache: VerificationCache | undefined;

  constructor(options: JwtVerifierOptions) {
    const unsafe = options.algorithms.filter(
      (algorithm) => algorithm === 'none' || /^HS/i.test(algorithm),
    );
    if (options.algorithms.length === 0 || unsafe.length > 0) {
      throw new TypeError('"algorithms" option must list asymmetric algorithms only.');
    }
    // Precondition: the clock tolerance is a finite number of seconds, 0 or more.
    if (!Number.isFinite(options.clockToleranceSeconds) || options.clockToleranceSeconds < 0) {
      throw new TypeError('"clockToleranceSeconds" option must be a number of seconds, 0 or more.');
    }

    this.#options = options;
    const cacheOptions = options.verificationCache;
    this.#cache =
      cacheOptions === undefined || cacheOptions.maxEntries === 0
        ? undefined
        : new VerificationCache(cacheOptions);
  }

  /**
   * Verifies the `Authorization` header value: scheme, signature, algorithm,
   * `exp`, `nbf`, and issuer and audience when configured.
   *
   * @throws AuthError when the caller must send another token (401).
   * @throws JwksUnavailableError when the keys could not be loaded (503).
   */
  async verify(authorization: string | readonly string[] | undefined): Promise<VerifiedCaller> {
    const token = extractBearerToken(authorization);
    const id = this.#cache === undefined ? undefined : tokenId(token);
    const cached = id === undefined ? undefined : await this.#cachedCaller(token, id);
    if (cached !== undefined) {
      return cached;
    }

    const { payload, key } = await this.#verifyToken(token);
    const caller = { ewi: readEwi(payload) };
    if (id !== undefined) {
      this.#cache?.set(id, caller, key, payload.exp);
    }

    return caller;
  }

  /**
   * Returns the cached result of this exact token, or `undefined`. The cache
   * has already checked the time limits; this checks the key set.
   */
  async #cachedCaller(token: string, id: string): Promise<VerifiedCaller | undefined> {
    const entry = this.#cache?.get(id);
    if (entry === undefined) {
      return undefined;
    }

    // Precondition: the key resolver still returns the key that verified this token.
    const key = await this.#resolveKey(token).catch(() => undefined);
    if (key !== entry.key) {
      this.#cache?.delete(id);
      return undefined;
    }

    return entry.caller;
  }

  async #resolveKey(token: string): Promise<unknown> {
    const [protectedHeader = '', payload = '', signature = ''] = token.split('.');

    // The token passed jwtVerify before it was cached, so its header has an alg.
    const header = decodeProtectedHeader(token) as CompactJWSHeaderParameters;

    return this.#options.keyResolver(header, {
      protected: protectedHeader,
      payload,
      signature,
    });
  }

  /**
   * Verifies a token: on the RSA fast path when it takes the token, else with
   * jose, which also names every rejection.
   */
  async #verifyToken(token: string): Promise<{ payload: JWTPayload; key: unknown }> {
    // One key lookup per token: jose reuses the fast path's, so a failing JWKS is fetched once.
    const keyResolver = resolveOnce(this.#options.keyResolver);
    const fast = await verifyOnFastPath(token, { ...this.#options, keyResolver });
    if (fast !== undefined) {
      return fast;
    }

    const { algorithms, issuer, audience, clockToleranceSeconds } = this.#options;

    try {
      const { payload, key } = await jwtVerify(token, keyResolver, {
        algorithms: [...algorithms],
        clockTolerance: clockToleranceSeconds,
        ...(issuer === undefined ? {} : { issuer }),
        ...(audience === undefined ? {} : { audience }),
      });

      return { payload, key };
    } catch (error) {
      if (error instanceof JwksUnavailableError) {
        throw error;
      }

      throw authErrorFromJose(error) ?? error;
    }
  }
}

/**
 * Wraps a key resolver for the checks of one token: the first call runs it,
 * and later calls return the same result. The fast path resolves only headers
 * made of `alg`, `kid` and `typ`, which jose then passes unchanged.
 */
function resolveOnce(keyResolver: JWTVerifyGetKey): JWTVerifyGetKey {
  let result: ReturnType<JWTVerifyGetKey> | undefined;

  return async (protectedHeader, token) => {
    result ??= keyResolver(protectedHeader, token);

    return result;
  };
}

function readEwi(payload: JWTPayload): string {
  const ewi = payload['ewi'];

  // Precondition: the token carries a non-empty string ewi claim.
  if (ewi === undefined) {
    throw new AuthError('EWI_MISSING', 'Token has no ewi (wallet id) claim.');
  }
  if (typeof ewi !== 'string') {
    throw new AuthError('EWI_NOT_STRING', 'Token ewi (wallet id) claim must be a string.');
  }
  if (ewi.trim() === '') {
    throw new AuthError('EWI_EMPTY', 'Token ewi (wallet id) claim is empty.');
  }

  return ewi;
}
