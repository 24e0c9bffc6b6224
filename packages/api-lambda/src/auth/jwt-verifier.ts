import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

import { AuthError, JwksUnavailableError } from './auth-errors';
import { extractBearerToken } from './bearer-token';
import { authErrorFromJose } from './jose-errors';

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
}

/** The only part of a verified token that the API uses. */
export interface VerifiedCaller {
  /** The wallet id, bound as the encryption context `{ ewi }`. */
  readonly ewi: string;
}

/** Verifies bearer tokens and returns the caller's wallet id. */
export class JwtVerifier {
  readonly #options: JwtVerifierOptions;

  constructor(options: JwtVerifierOptions) {
    const unsafe = options.algorithms.filter(
      (algorithm) => algorithm === 'none' || /^HS/i.test(algorithm),
    );
    if (options.algorithms.length === 0 || unsafe.length > 0) {
      throw new TypeError('"algorithms" option must list asymmetric algorithms only.');
    }

    this.#options = options;
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
    const payload = await this.#verifyToken(token);

    return { ewi: readEwi(payload) };
  }

  async #verifyToken(token: string): Promise<JWTPayload> {
    const { keyResolver, algorithms, issuer, audience, clockToleranceSeconds } = this.#options;

    try {
      const { payload } = await jwtVerify(token, keyResolver, {
        algorithms: [...algorithms],
        clockTolerance: clockToleranceSeconds,
        ...(issuer === undefined ? {} : { issuer }),
        ...(audience === undefined ? {} : { audience }),
      });

      return payload;
    } catch (error) {
      if (error instanceof JwksUnavailableError) {
        throw error;
      }

      throw authErrorFromJose(error) ?? error;
    }
  }
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
