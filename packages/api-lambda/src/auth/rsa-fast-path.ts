import { KeyObject, verify, webcrypto } from 'node:crypto';

import type { JWTPayload, JWTVerifyGetKey } from 'jose';

/*
 * A cheaper route for the common token: compact JWS, RS256/384/512, a header
 * of `alg` and optionally `kid` and `typ`, numeric time claims. It checks the
 * signature with node:crypto's callback API, which costs the event loop less
 * than jose's WebCrypto route (docs/benchmarks.md). It only ever accepts. Anything
 * unusual, and every failure, returns `undefined`, and the caller then runs
 * jose's `jwtVerify`, which decides and names the error. The tokens accepted
 * here are thus a subset of those jose accepts; test/rsa-fast-path.test.ts
 * compares the two token by token.
 */

/** The verifier's key resolver and claim settings. */
export interface FastPathOptions {
  readonly keyResolver: JWTVerifyGetKey;
  readonly algorithms: readonly string[];
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockToleranceSeconds: number;
}

/** A token accepted by the fast path, with the key that verified it. */
export interface FastPathResult {
  readonly payload: JWTPayload;
  readonly key: unknown;
}

const HASH_BY_ALGORITHM: ReadonlyMap<string, string> = new Map([
  ['RS256', 'SHA-256'],
  ['RS384', 'SHA-384'],
  ['RS512', 'SHA-512'],
]);

/** Header parameters the fast path understands; any other sends the token to jose. */
const KNOWN_HEADER_PARAMETERS = new Set(['alg', 'kid', 'typ']);

/** jose rejects RSA keys below 2048 bits for the RS algorithms. */
const MIN_MODULUS_BITS = 2048;

const BASE64URL = /^[A-Za-z0-9_-]+$/u;

/** Rejects invalid UTF-8 where Buffer would substitute U+FFFD, as jose's claims decoder does. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

/** Verifies a token on the fast path, or returns `undefined` to leave it to jose. */
export async function verifyOnFastPath(
  token: string,
  options: FastPathOptions,
): Promise<FastPathResult | undefined> {
  const segments = token.split('.');
  if (!settingsUsable(options) || segments.length !== 3 || !segments.every(isCanonicalBase64url)) {
    return undefined;
  }

  const [protectedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];
  const header = parseHeader(protectedHeader, options.algorithms);
  if (header === undefined) {
    return undefined;
  }

  const key = await resolveKey(options.keyResolver, header, segments as [string, string, string]);
  const keyObject = key === undefined ? undefined : usableKeyObject(key, header.alg);
  if (keyObject === undefined) {
    return undefined;
  }

  const valid = await verifySignature(
    HASH_BY_ALGORITHM.get(header.alg)!,
    Buffer.from(`${protectedHeader}.${encodedPayload}`, 'latin1'),
    keyObject,
    Buffer.from(encodedSignature, 'base64url'),
  );
  if (!valid) {
    return undefined;
  }

  const payload = parseJsonObject(encodedPayload);

  return payload !== undefined && claimsAccepted(payload, options) ? { payload, key } : undefined;
}

interface FastPathHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
}

function parseHeader(segment: string, algorithms: readonly string[]): FastPathHeader | undefined {
  const header = parseJsonObject(segment);
  if (
    header === undefined ||
    !Object.keys(header).every((name) => KNOWN_HEADER_PARAMETERS.has(name))
  ) {
    return undefined;
  }

  const { alg, kid, typ } = header;
  const simple =
    typeof alg === 'string' &&
    HASH_BY_ALGORITHM.has(alg) &&
    algorithms.includes(alg) &&
    (kid === undefined || typeof kid === 'string') &&
    (typ === undefined || typeof typ === 'string');

  return simple ? (header as unknown as FastPathHeader) : undefined;
}

async function resolveKey(
  keyResolver: JWTVerifyGetKey,
  header: FastPathHeader,
  [protectedHeader, payload, signature]: [string, string, string],
): Promise<unknown> {
  try {
    return await keyResolver({ ...header }, { protected: protectedHeader, payload, signature });
  } catch {
    // jose reports the failure: the verifier hands it the same lookup result.
    return undefined;
  }
}

/** Tells whether the fast path reads the settings as jose does: an algorithm list and a tolerance of 0 s or more. */
function settingsUsable(options: FastPathOptions): boolean {
  const tolerance = options.clockToleranceSeconds;

  return Array.isArray(options.algorithms) && Number.isFinite(tolerance) && tolerance >= 0;
}

/** Converts the resolved key when it is an RSA PKCS#1 v1.5 public key for this algorithm. */
function usableKeyObject(key: unknown, alg: string): KeyObject | undefined {
  try {
    return rsaKeyObject(key, alg);
  } catch {
    // A resolver's unexpected value: jose reports it.
    return undefined;
  }
}

function rsaKeyObject(key: unknown, alg: string): KeyObject | undefined {
  const candidate = key as Partial<webcrypto.CryptoKey> | null;
  const algorithm = candidate?.algorithm as Partial<webcrypto.RsaHashedKeyAlgorithm> | undefined;
  const usable =
    candidate?.type === 'public' &&
    candidate.usages?.includes('verify') === true &&
    algorithm?.name === 'RSASSA-PKCS1-v1_5' &&
    algorithm.hash?.name === HASH_BY_ALGORITHM.get(alg) &&
    (algorithm.modulusLength ?? 0) >= MIN_MODULUS_BITS;
  if (!usable) {
    return undefined;
  }

  return keyObjectOf(key as webcrypto.CryptoKey);
}

/** Returns the KeyObject of a CryptoKey, converted once. Throws when the value is no CryptoKey. */
function keyObjectOf(key: webcrypto.CryptoKey): KeyObject {
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }

  return keyObject;
}

async function verifySignature(
  hash: string,
  data: Buffer,
  key: KeyObject,
  signature: Buffer,
): Promise<boolean> {
  return new Promise((resolve) => {
    verify(hash, data, key, signature, (error, valid) => {
      resolve(error === null && valid);
    });
  });
}

/** Base64url without padding; a length of 4n + 1 is no valid encoding, though Buffer would decode it. */
function isCanonicalBase64url(segment: string): boolean {
  return BASE64URL.test(segment) && segment.length % 4 !== 1;
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));

    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the time claims, issuer and audience as jose does; anything unusual is not accepted. */
function claimsAccepted(payload: Record<string, unknown>, options: FastPathOptions): boolean {
  const now = Math.floor(Date.now() / 1000);
  const tolerance = options.clockToleranceSeconds;
  const { exp, nbf, iat, iss, aud } = payload;

  if (!isOptionalNumber(exp) || !isOptionalNumber(nbf) || !isOptionalNumber(iat)) {
    return false;
  }
  if (
    (exp !== undefined && exp <= now - tolerance) ||
    (nbf !== undefined && nbf > now + tolerance)
  ) {
    return false;
  }
  if (options.issuer !== undefined && iss !== options.issuer) {
    return false;
  }

  return options.audience === undefined || audienceMatches(aud, options.audience);
}

function audienceMatches(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}

function isOptionalNumber(value: unknown): value is number | undefined {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}
