import { createPublicKey } from 'node:crypto';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestSigningKey, signTestToken, TestJwksServer } from '@split-kms/testing/jwks';
import { base64url, SignJWT } from 'jose';

import { AuthError, JwksUnavailableError, type AuthFailureReason } from '../src/auth/auth-errors';
import { MAX_AUTHORIZATION_LENGTH } from '../src/auth/bearer-token';
import { JwtVerifier, type JwtVerifierOptions } from '../src/auth/jwt-verifier';
import { createRemoteKeyResolver } from '../src/auth/key-resolver';

let jwks: TestJwksServer;

beforeAll(async () => {
  jwks = await TestJwksServer.start();
});

afterAll(async () => {
  await jwks.stop();
});

afterEach(() => {
  jwks.heal();
});

function verifierFor(
  server: TestJwksServer,
  options: Partial<JwtVerifierOptions> = {},
): JwtVerifier {
  return new JwtVerifier({
    keyResolver: createRemoteKeyResolver({
      url: new URL(server.url),
      timeoutMs: 300,
      cacheMaxAgeSeconds: 600,
      cooldownSeconds: 0,
    }),
    algorithms: ['RS256'],
    clockToleranceSeconds: 0,
    ...options,
  });
}

async function reasonOf(
  promise: Promise<unknown>,
): Promise<AuthFailureReason | 'JWKS_UNAVAILABLE'> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) {
      return error.reason;
    }
    if (error instanceof JwksUnavailableError) {
      return 'JWKS_UNAVAILABLE';
    }
    throw error;
  }
  throw new Error('verification succeeded');
}

function unsignedToken(header: object, payload: object): string {
  const encode = (value: object): string => base64url.encode(JSON.stringify(value));

  return `${encode(header)}.${encode(payload)}.`;
}

describe('JwtVerifier', () => {
  it('returns the ewi of a valid token', async () => {
    const token = await jwks.mintToken({
      claims: { ewi: 'wallet-a', email: 'someone@example.test' },
    });

    await expect(verifierFor(jwks).verify(`Bearer ${token}`)).resolves.toEqual({ ewi: 'wallet-a' });
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the %s scheme', async (scheme) => {
    const token = await jwks.mintToken();

    await expect(verifierFor(jwks).verify(`${scheme} ${token}`)).resolves.toEqual({
      ewi: 'wallet-test',
    });
  });

  const headerCases: readonly [string, string | string[] | undefined, AuthFailureReason][] = [
    ['missing header', undefined, 'MISSING_HEADER'],
    ['empty header', '', 'MISSING_HEADER'],
    ['two headers', ['Bearer a', 'Bearer b'], 'MULTIPLE_HEADERS'],
    ['Basic scheme', 'Basic dXNlcjpwYXNz', 'WRONG_SCHEME'],
    ['token without scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.sig', 'WRONG_SCHEME'],
    ['Bearer glued to token', 'Bearerabc.def.ghi', 'WRONG_SCHEME'],
    ['scheme only', 'Bearer', 'EMPTY_TOKEN'],
    ['blank token', 'Bearer    ', 'EMPTY_TOKEN'],
    ['garbage token', 'Bearer not-a-jwt', 'MALFORMED_TOKEN'],
    ['three garbage parts', 'Bearer a.b.c', 'MALFORMED_TOKEN'],
    ['very long token', `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}`, 'TOKEN_TOO_LONG'],
  ];

  it.each(headerCases)('rejects a %s', async (_name, header, reason) => {
    expect(await reasonOf(verifierFor(jwks).verify(header))).toBe(reason);
  });

  it('rejects an expired token', async () => {
    const token = await jwks.mintToken({ expiresInSeconds: -10 });

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe('TOKEN_EXPIRED');
  });

  it('accepts a just-expired token within the clock tolerance', async () => {
    const token = await jwks.mintToken({ expiresInSeconds: -5 });

    await expect(
      verifierFor(jwks, { clockToleranceSeconds: 60 }).verify(`Bearer ${token}`),
    ).resolves.toEqual({
      ewi: 'wallet-test',
    });
  });

  it('rejects a token that is not valid yet', async () => {
    const token = await jwks.mintToken({ notBeforeInSeconds: 120 });

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('rejects a token signed by an unknown key', async () => {
    const stranger = await createTestSigningKey();
    const token = await signTestToken(stranger);

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe('UNKNOWN_KEY');
  });

  it('rejects a token signed by another key under a known key id', async () => {
    const stranger = await createTestSigningKey(jwks.currentKey.kid);
    const token = await signTestToken(stranger);

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe('SIGNATURE_INVALID');
  });

  it('rejects a token with a tampered payload', async () => {
    const [header, , signature] = (await jwks.mintToken({ claims: { ewi: 'wallet-a' } })).split(
      '.',
    );
    const forged = base64url.encode(
      JSON.stringify({ ewi: 'wallet-b', exp: Math.floor(Date.now() / 1000) + 60 }),
    );

    expect(
      await reasonOf(verifierFor(jwks).verify(`Bearer ${header}.${forged}.${signature}`)),
    ).toBe('SIGNATURE_INVALID');
  });

  it('rejects alg none', async () => {
    const token = unsignedToken({ alg: 'none', typ: 'JWT' }, { ewi: 'wallet-a' });

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe(
      'ALGORITHM_NOT_ALLOWED',
    );
  });

  it('rejects HS256 with any secret', async () => {
    const token = await new SignJWT({ ewi: 'wallet-a' })
      .setProtectedHeader({ alg: 'HS256', kid: jwks.currentKey.kid })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe(
      'ALGORITHM_NOT_ALLOWED',
    );
  });

  it("rejects HS256 signed with the public key's bytes", async () => {
    const { n, e } = jwks.currentKey.publicJwk;
    const pem = createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const token = await new SignJWT({ ewi: 'wallet-a' })
      .setProtectedHeader({ alg: 'HS256', kid: jwks.currentKey.kid })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem.toString()));

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe(
      'ALGORITHM_NOT_ALLOWED',
    );
  });

  it('rejects RS256 when only ES256 is configured', async () => {
    const token = await jwks.mintToken();

    expect(
      await reasonOf(verifierFor(jwks, { algorithms: ['ES256'] }).verify(`Bearer ${token}`)),
    ).toBe('ALGORITHM_NOT_ALLOWED');
  });

  it.each([
    ['missing', { ewi: undefined }, 'EWI_MISSING'],
    ['empty', { ewi: '' }, 'EWI_EMPTY'],
    ['blank', { ewi: '   ' }, 'EWI_EMPTY'],
    ['a number', { ewi: 42 }, 'EWI_NOT_STRING'],
    ['null', { ewi: null }, 'EWI_NOT_STRING'],
    ['an object', { ewi: { id: 'wallet-a' } }, 'EWI_NOT_STRING'],
  ] as const)('rejects a token whose ewi is %s', async (_name, claims, reason) => {
    const token = await jwks.mintToken({ claims });

    expect(await reasonOf(verifierFor(jwks).verify(`Bearer ${token}`))).toBe(reason);
  });

  it('checks the issuer and audience when configured', async () => {
    const verifier = verifierFor(jwks, { issuer: 'https://issuer.test', audience: 'split-kms' });
    const good = await jwks.mintToken({ claims: { iss: 'https://issuer.test', aud: 'split-kms' } });
    const wrongIssuer = await jwks.mintToken({
      claims: { iss: 'https://evil.test', aud: 'split-kms' },
    });
    const wrongAudience = await jwks.mintToken({
      claims: { iss: 'https://issuer.test', aud: 'other' },
    });

    await expect(verifier.verify(`Bearer ${good}`)).resolves.toEqual({ ewi: 'wallet-test' });
    expect(await reasonOf(verifier.verify(`Bearer ${wrongIssuer}`))).toBe('ISSUER_MISMATCH');
    expect(await reasonOf(verifier.verify(`Bearer ${wrongAudience}`))).toBe('AUDIENCE_MISMATCH');
  });

  it('refuses unsafe algorithms at construction', () => {
    expect(() => verifierFor(jwks, { algorithms: ['RS256', 'HS256'] })).toThrow(TypeError);
    expect(() => verifierFor(jwks, { algorithms: ['none'] })).toThrow(TypeError);
  });
});

describe('JwtVerifier with a failing JWKS', () => {
  it.each([
    ['answers 500', { kind: 'status', statusCode: 500 } as const],
    ['answers 404', { kind: 'status', statusCode: 404 } as const],
    ['returns a body that is not JSON', { kind: 'garbage' } as const],
    ['returns no keys', { kind: 'no-keys' } as const],
  ])('is unavailable when the JWKS %s, then recovers', async (_name, behaviour) => {
    const verifier = verifierFor(jwks);
    const token = await jwks.mintToken();
    jwks.behaviour = behaviour;

    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('JWKS_UNAVAILABLE');

    jwks.heal();
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({ ewi: 'wallet-test' });
  });

  it('is unavailable when the JWKS is slower than the timeout, then recovers', async () => {
    const verifier = verifierFor(jwks);
    const token = await jwks.mintToken();
    jwks.delayMs = 1500;

    const started = Date.now();
    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('JWKS_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1400);

    jwks.heal();
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({ ewi: 'wallet-test' });
  });

  it('recovers after a JWKS server restart', async () => {
    const server = await TestJwksServer.start();
    const verifier = verifierFor(server);
    const token = await server.mintToken();
    await server.stop();

    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('JWKS_UNAVAILABLE');

    await server.restart();
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({ ewi: 'wallet-test' });
    await server.stop();
  });

  it('refetches the JWKS for a rotated key', async () => {
    const server = await TestJwksServer.start();
    const verifier = verifierFor(server);
    await verifier.verify(`Bearer ${await server.mintToken()}`);
    await verifier.verify(`Bearer ${await server.mintToken()}`);
    expect(server.fetchCount).toBe(1);

    await server.rotateKeys();
    await expect(verifier.verify(`Bearer ${await server.mintToken()}`)).resolves.toEqual({
      ewi: 'wallet-test',
    });
    expect(server.fetchCount).toBe(2);
    await server.stop();
  });

  it('does not refetch for unknown keys during the cooldown', async () => {
    const server = await TestJwksServer.start();
    const verifier = new JwtVerifier({
      keyResolver: createRemoteKeyResolver({
        url: new URL(server.url),
        timeoutMs: 300,
        cacheMaxAgeSeconds: 600,
        cooldownSeconds: 60,
      }),
      algorithms: ['RS256'],
      clockToleranceSeconds: 0,
    });
    await verifier.verify(`Bearer ${await server.mintToken()}`);
    const stranger = await createTestSigningKey();

    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(await reasonOf(verifier.verify(`Bearer ${await signTestToken(stranger)}`))).toBe(
        'UNKNOWN_KEY',
      );
    }
    expect(server.fetchCount).toBe(1);
    await server.stop();
  });
});
