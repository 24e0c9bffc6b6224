import { createPublicKey, createSign, KeyObject } from 'node:crypto';

import type { TestSigningKey } from '@split-kms/testing/jwks';
import { base64url, SignJWT } from 'jose';

/** Seconds since the epoch, as JWT claims count time. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Signs a header and a payload given as JSON text with RS256, byte for byte.
 * Unlike jose's signers it writes what it is given, so a test can send a
 * `crit` header jose would reject, or a payload with a duplicate claim.
 */
export function signRawRs256(key: TestSigningKey, headerJson: string, payloadJson: string): string {
  const signingInput = `${base64url.encode(headerJson)}.${base64url.encode(payloadJson)}`;
  const signature = createSign('RSA-SHA256')
    .update(signingInput)
    .sign(KeyObject.from(key.privateKey));

  return `${signingInput}.${base64url.encode(signature)}`;
}

/** Builds an unsigned token (`alg: none`). */
export function unsignedToken(header: object, payload: object): string {
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;
}

/** Signs an HS256 token whose secret is the PEM text of the issuer's public RSA key. */
export async function hs256WithPublicKey(key: TestSigningKey, ewi: string): Promise<string> {
  const { n, e } = key.publicJwk;
  const pem = createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();

  return new SignJWT({ ewi })
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
    .setExpirationTime(nowSeconds() + 300)
    .sign(new TextEncoder().encode(pem));
}

/** Signs a PS256 token with the issuer's RSA key, an algorithm the API does not accept. */
export async function ps256WithIssuerKey(key: TestSigningKey, ewi: string): Promise<string> {
  return new SignJWT({ ewi })
    .setProtectedHeader({ alg: 'PS256', kid: key.kid, typ: 'JWT' })
    .setExpirationTime(nowSeconds() + 300)
    .sign(KeyObject.from(key.privateKey));
}
