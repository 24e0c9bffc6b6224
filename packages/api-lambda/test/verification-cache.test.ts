import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TestJwksServer } from '@split-kms/testing/jwks';

import { AuthError } from '../src/auth/auth-errors';
import { JwtVerifier } from '../src/auth/jwt-verifier';
import { createRemoteKeyResolver } from '../src/auth/key-resolver';
import { VerificationCache } from '../src/auth/verification-cache';
import { countSignatureChecks } from './support/signature-checks';

let jwks: TestJwksServer;

beforeAll(async () => {
  jwks = await TestJwksServer.start();
});

afterAll(async () => {
  await jwks.stop();
});

afterEach(() => {
  jest.restoreAllMocks();
});

function cachingVerifier(cacheMaxAgeSeconds = 600): JwtVerifier {
  return new JwtVerifier({
    keyResolver: createRemoteKeyResolver({
      url: new URL(jwks.url),
      timeoutMs: 500,
      cacheMaxAgeSeconds,
      cooldownSeconds: 0,
    }),
    algorithms: ['RS256'],
    clockToleranceSeconds: 0,
    verificationCache: { maxEntries: 100, maxAgeSeconds: 60 },
  });
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'verified',
    (error: unknown) => (error instanceof AuthError ? error.reason : String(error)),
  );
}

describe('JwtVerifier with a verification cache', () => {
  it('checks the signature of a repeated token once', async () => {
    const verifier = cachingVerifier();
    const token = await jwks.mintToken({ claims: { ewi: 'wallet-cached' } });
    const signatureChecks = countSignatureChecks();

    const results = [];
    for (let index = 0; index < 5; index += 1) {
      results.push(await verifier.verify(`Bearer ${token}`));
    }

    expect(results).toEqual(Array.from({ length: 5 }, () => ({ ewi: 'wallet-cached' })));
    expect(signatureChecks()).toBe(1);
  });

  it('rejects a cached token once it expires', async () => {
    const verifier = cachingVerifier();
    const token = await jwks.mintToken({ claims: { ewi: 'wallet-expiring' }, expiresInSeconds: 1 });
    await verifier.verify(`Bearer ${token}`);

    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('TOKEN_EXPIRED');
  });

  it('rejects a cached token once its key leaves the JWKS', async () => {
    const server = await TestJwksServer.start();
    const verifier = new JwtVerifier({
      keyResolver: createRemoteKeyResolver({
        url: new URL(server.url),
        timeoutMs: 500,
        cacheMaxAgeSeconds: 1,
        cooldownSeconds: 0,
      }),
      algorithms: ['RS256'],
      clockToleranceSeconds: 0,
      verificationCache: { maxEntries: 100, maxAgeSeconds: 60 },
    });
    const token = await server.mintToken({ claims: { ewi: 'wallet-rotated' } });
    await verifier.verify(`Bearer ${token}`);

    await server.rotateKeys();
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('UNKNOWN_KEY');
    await server.stop();
  });

  it('answers JWKS_UNAVAILABLE for a cached token when the JWKS is down after expiry', async () => {
    const server = await TestJwksServer.start();
    const verifier = new JwtVerifier({
      keyResolver: createRemoteKeyResolver({
        url: new URL(server.url),
        timeoutMs: 500,
        cacheMaxAgeSeconds: 1,
        cooldownSeconds: 0,
      }),
      algorithms: ['RS256'],
      clockToleranceSeconds: 0,
      verificationCache: { maxEntries: 100, maxAgeSeconds: 60 },
    });
    const token = await server.mintToken({ claims: { ewi: 'wallet-outage' } });
    await verifier.verify(`Bearer ${token}`);

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toMatch(/JwksUnavailableError/u);
  });

  it('never caches a rejected token', async () => {
    const verifier = cachingVerifier();
    const token = await jwks.mintToken({ claims: { ewi: '' } });

    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('EWI_EMPTY');
    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('EWI_EMPTY');
  });
});

describe('VerificationCache', () => {
  const caller = { ewi: 'wallet-a' };

  it('ends an entry at exp or the max age, whichever is first', () => {
    let now = 1_000_000;
    const cache = new VerificationCache({ maxEntries: 10, maxAgeSeconds: 60 }, () => now);
    cache.set('token-short', caller, 'key', now / 1000 + 5);
    cache.set('token-long', caller, 'key', now / 1000 + 3600);
    cache.set('token-no-exp', caller, 'key', undefined);

    now += 5000;
    expect(cache.get('token-short')).toBeUndefined();
    expect(cache.get('token-long')?.caller).toEqual(caller);

    now += 55_000;
    expect(cache.get('token-long')).toBeUndefined();
    expect(cache.get('token-no-exp')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = new VerificationCache({ maxEntries: 3, maxAgeSeconds: 60 });
    for (let index = 0; index < 10; index += 1) {
      cache.set(`token-${index}`, caller, 'key', undefined);
    }

    expect(cache.size).toBe(3);
    expect(cache.get('token-6')).toBeUndefined();
    expect(cache.get('token-9')?.caller).toEqual(caller);
  });

  it('stores nothing when maxEntries is 0', () => {
    const cache = new VerificationCache({ maxEntries: 0, maxAgeSeconds: 60 });
    cache.set('token', caller, 'key', undefined);

    expect(cache.size).toBe(0);
  });
});
