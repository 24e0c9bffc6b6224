import { createSign, generateKeyPairSync, KeyObject } from 'node:crypto';

import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  jwtVerify,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';

import { JwksUnavailableError } from '../src/auth/auth-errors';
import { JwtVerifier } from '../src/auth/jwt-verifier';
import { verifyOnFastPath, type FastPathOptions } from '../src/auth/rsa-fast-path';
import { spySignatureChecks } from './support/signature-checks';

/*
 * The fast path may only accept tokens that jose accepts, with the same
 * claims and key. Each case here runs through both; the property test does
 * the same for random changes to a valid token.
 */

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'split-kms';
const RSA_KID = 'rsa-2048';
const SMALL_KID = 'rsa-1024';

interface Signer {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

let rsa: Signer;
let small: Signer;
let keyResolver: JWTVerifyGetKey;
let options: FastPathOptions;

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** Signs header and payload JSON text byte for byte, so a case can carry what jose's signers refuse. */
function sign(
  signer: Signer,
  header: object | string,
  payload: object | string,
  hash = 'SHA256',
): string {
  const text = (value: object | string): string =>
    typeof value === 'string' ? value : JSON.stringify(value);
  const input = `${base64url.encode(text(header))}.${base64url.encode(text(payload))}`;
  const signature = createSign(`RSA-${hash}`).update(input).sign(signer.privateKey);

  return `${input}.${base64url.encode(signature)}`;
}

function claims(extra: object = {}): object {
  return { ewi: 'wallet-1', iss: ISSUER, aud: AUDIENCE, exp: now() + 300, ...extra };
}

async function signer(kid: string, modulusLength: number): Promise<{ signer: Signer; jwk: JWK }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };

  return { signer: { kid, privateKey }, jwk };
}

beforeAll(async () => {
  const strong = await signer(RSA_KID, 2048);
  const weak = await signer(SMALL_KID, 1024);
  rsa = strong.signer;
  small = weak.signer;
  keyResolver = createLocalJWKSet({ keys: [strong.jwk, weak.jwk] });
  options = {
    keyResolver,
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: 10,
  };
});

/** Runs both verifiers and returns what each made of the token. */
async function both(
  token: string,
  overrides: Partial<FastPathOptions> = {},
): Promise<{ fast: unknown; jose: unknown }> {
  const settings = { ...options, ...overrides };
  const fast = await verifyOnFastPath(token, settings);
  const jose = await jwtVerify(token, settings.keyResolver, {
    algorithms: [...settings.algorithms],
    clockTolerance: settings.clockToleranceSeconds,
    ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
    ...(settings.audience === undefined ? {} : { audience: settings.audience }),
  }).then(
    (result) => ({ payload: result.payload, key: result.key }),
    () => 'rejected',
  );

  return { fast, jose };
}

describe('JwtVerifier', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('checks a plain RS256 token on the fast path and others with jose', async () => {
    const verifier = new JwtVerifier(options);
    const checks = spySignatureChecks();

    expect(
      await verifier.verify(`Bearer ${sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims())}`),
    ).toEqual({
      ewi: 'wallet-1',
    });
    expect([checks.node(), checks.webCrypto()]).toEqual([1, 0]);

    const withCty = sign(rsa, { alg: 'RS256', kid: RSA_KID, cty: 'JWT' }, claims());
    expect(await verifier.verify(`Bearer ${withCty}`)).toEqual({ ewi: 'wallet-1' });
    expect([checks.node(), checks.webCrypto()]).toEqual([1, 1]);
  });
});

describe('JwtVerifier settings and key lookups', () => {
  it.each([undefined, Number.NaN, Number.POSITIVE_INFINITY, -5, '60s'])(
    'rejects a clock tolerance of %p',
    (clockToleranceSeconds) => {
      expect(() => new JwtVerifier({ ...options, clockToleranceSeconds } as never)).toThrow(
        '"clockToleranceSeconds" option must be a number of seconds, 0 or more.',
      );
    },
  );

  it('looks the key up once for a token that falls back to jose', async () => {
    let lookups = 0;
    const verifier = new JwtVerifier({
      ...options,
      keyResolver: async (header, token) => {
        lookups += 1;

        return keyResolver(header, token);
      },
    });
    const expired = sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ exp: now() - 60 }));

    await expect(verifier.verify(`Bearer ${expired}`)).rejects.toMatchObject({
      reason: 'TOKEN_EXPIRED',
    });
    expect(lookups).toBe(1);
  });

  it('looks a failing key set up once', async () => {
    let lookups = 0;
    const failure = new JwksUnavailableError('The token signing keys (JWKS) could not be loaded.');
    const verifier = new JwtVerifier({
      ...options,
      keyResolver: async () => {
        lookups += 1;
        throw failure;
      },
    });

    await expect(
      verifier.verify(`Bearer ${sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims())}`),
    ).rejects.toBe(failure);
    expect(lookups).toBe(1);
  });
});

describe('RSA fast path', () => {
  it.each<[string, () => string]>([
    ['a plain RS256 token', () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims())],
    ['a typ header', () => sign(rsa, { alg: 'RS256', kid: RSA_KID, typ: 'JWT' }, claims())],
    ['no exp claim', () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ exp: undefined }))],
    [
      'an audience list',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ aud: ['x', AUDIENCE] })),
    ],
    [
      'exp within the clock tolerance',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ exp: now() - 5 })),
    ],
    [
      'nbf within the clock tolerance',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ nbf: now() + 5 })),
    ],
  ])('accepts %s with the claims and key jose returns', async (_name, make) => {
    const { fast, jose } = await both(make());

    expect(jose).not.toBe('rejected');
    expect(fast).toEqual(jose);
    expect((fast as { key: unknown }).key).toBe((jose as { key: unknown }).key);
  });

  it.each<[string, () => string, Partial<FastPathOptions>?]>([
    [
      'an expired token',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ exp: now() - 60 })),
    ],
    [
      'a token not valid yet',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ nbf: now() + 60 })),
    ],
    ['a wrong issuer', () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ iss: 'other' }))],
    [
      'a missing issuer',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ iss: undefined })),
    ],
    ['a wrong audience', () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ aud: 'other' }))],
    [
      'a string exp',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ exp: String(now() + 60) })),
    ],
    ['a string iat', () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims({ iat: 'yesterday' }))],
    ['a crit header', () => sign(rsa, { alg: 'RS256', kid: RSA_KID, crit: ['exp'] }, claims())],
    ['a b64 header', () => sign(rsa, { alg: 'RS256', kid: RSA_KID, b64: true }, claims())],
    [
      'a jku header',
      () => sign(rsa, { alg: 'RS256', kid: RSA_KID, jku: 'http://127.0.0.1:9/k' }, claims()),
    ],
    ['a numeric kid', () => sign(rsa, { alg: 'RS256', kid: 7 }, claims())],
    ['an unknown kid', () => sign(rsa, { alg: 'RS256', kid: 'unknown' }, claims())],
    [
      'alg none',
      () => `${base64url.encode('{"alg":"none"}')}.${base64url.encode(JSON.stringify(claims()))}.`,
    ],
    [
      'RS384 when only RS256 is allowed',
      () => sign(rsa, { alg: 'RS384', kid: RSA_KID }, claims(), 'SHA384'),
    ],
    [
      'RS384 on a key for RS256',
      () => sign(rsa, { alg: 'RS384', kid: RSA_KID }, claims(), 'SHA384'),
      { algorithms: ['RS256', 'RS384'] },
    ],
    ['a 1024-bit key', () => sign(small, { alg: 'RS256', kid: SMALL_KID }, claims())],
    ['a claims array', () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, '[1,2]')],
    ['claims that are not JSON', () => sign(rsa, { alg: 'RS256', kid: RSA_KID }, '{"ewi":')],
    [
      'a tampered signature',
      () => `${sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims()).slice(0, -4)}AAAA`,
    ],
    [
      'a signature with one extra character',
      () => `${sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims())}A`,
    ],
    ['a padded signature', () => `${sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims())}=`],
    ['four segments', () => `${sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims())}.e30`],
  ])('leaves %s to jose', async (_name, make, overrides = {}) => {
    const { fast } = await both(make(), overrides);

    expect(fast).toBeUndefined();
  });

  it.each<[string, Partial<FastPathOptions>]>([
    ['a NaN tolerance', { clockToleranceSeconds: Number.NaN }],
    ['a negative tolerance', { clockToleranceSeconds: -5 }],
    ['a tolerance given as text', { clockToleranceSeconds: '30' as never }],
    ['algorithms given as text', { algorithms: 'RS256' as never }],
  ])('leaves a token to jose under %s', async (_name, overrides) => {
    const token = sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims());

    expect(await verifyOnFastPath(token, { ...options, ...overrides })).toBeUndefined();
  });

  it('leaves claims with invalid UTF-8 to jose', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'RS256', kid: RSA_KID }));
    const payload = base64url.encode(
      Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    );
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(rsa.privateKey);

    expect(
      await verifyOnFastPath(`${header}.${payload}.${base64url.encode(signature)}`, options),
    ).toBeUndefined();
  });

  it('accepts only what jose accepts, for random signed headers and claims', async () => {
    // Mostly valid tokens, each field changed now and then, so both outcomes occur.
    const rarely = <T>(value: fc.Arbitrary<T>, usual: T): fc.Arbitrary<T> =>
      fc.oneof({ arbitrary: fc.constant(usual), weight: 4 }, { arbitrary: value, weight: 1 });
    const time = (usual: number | undefined): fc.Arbitrary<unknown> =>
      rarely(
        fc.oneof(
          fc.integer({ min: -120, max: 120 }).map((offset) => now() + offset),
          fc.constantFrom('soon', null, 1.5, undefined),
        ),
        usual,
      );
    const header = fc.record({
      alg: rarely(fc.constantFrom('RS384', 'RS512', 'PS256', 'none'), 'RS256'),
      kid: rarely(fc.constantFrom(SMALL_KID, 'unknown', 7, undefined), RSA_KID),
      typ: rarely(fc.constantFrom('JWT', 'at+jwt', 1), undefined),
      crit: rarely(fc.constant(['exp']), undefined),
      jku: rarely(fc.constant('http://127.0.0.1:9/keys'), undefined),
    });
    const payload = fc.record({
      ewi: fc.constantFrom('wallet-1', ''),
      iss: rarely(fc.constantFrom('other', undefined), ISSUER),
      aud: rarely(fc.constantFrom([AUDIENCE, 'x'], ['x'], 'other', undefined), AUDIENCE),
      exp: fc.integer({ min: 30, max: 3600 }).chain((offset) => time(now() + offset)),
      nbf: time(undefined),
      iat: time(undefined),
    });
    const hash = rarely(fc.constantFrom('SHA384', 'SHA512'), 'SHA256');

    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        header,
        payload,
        hash,
        rarely(fc.constant(true), false),
        async (headerValue, payloadValue, hashName, weak) => {
          const token = sign(weak ? small : rsa, headerValue, payloadValue, hashName);
          const { fast, jose } = await both(token, { algorithms: ['RS256', 'RS384', 'RS512'] });

          if (fast !== undefined) {
            accepted += 1;
            expect(fast).toEqual(jose);
            expect((fast as { key: unknown }).key).toBe((jose as { key: unknown }).key);
          }
        },
      ),
      { numRuns: 400 },
    );

    // The property checks nothing unless the fast path accepted some tokens.
    expect(accepted).toBeGreaterThan(0);
  });

  it('accepts only what jose accepts, for random edits of a valid token', async () => {
    const valid = sign(rsa, { alg: 'RS256', kid: RSA_KID }, claims());
    const alphabet = 'AQgw_-.=e0zZ';

    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            position: fc.nat(valid.length),
            character: fc.constantFrom(...alphabet),
            remove: fc.boolean(),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        async (edits) => {
          let token = valid;
          for (const edit of edits) {
            const at = edit.position % (token.length + 1);
            token =
              token.slice(0, at) +
              (edit.remove ? '' : edit.character) +
              token.slice(at + (edit.remove ? 1 : 0));
          }

          const { fast, jose } = await both(token);
          if (fast !== undefined) {
            expect(fast).toEqual(jose);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
