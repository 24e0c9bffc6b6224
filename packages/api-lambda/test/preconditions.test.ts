import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, jest } from '@jest/globals';
import { createTestSigningKey, signTestToken } from '@split-kms/testing/jwks';
import { createLocalJWKSet } from 'jose';

import { AuthError } from '../src/auth/auth-errors';
import { extractBearerToken, MAX_AUTHORIZATION_LENGTH } from '../src/auth/bearer-token';
import { JwtVerifier } from '../src/auth/jwt-verifier';
import { VerificationCache } from '../src/auth/verification-cache';
import { ApiError } from '../src/http/api-error';
import { decodeStrictBase64 } from '../src/http/base64';
import { createApiHandler } from '../src/http/handler';
import { encodePlaintext } from '../src/http/plaintext';
import { parseJsonObject } from '../src/http/request-body';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';
import { startTestService } from './support/service';
import { countSignatureChecks } from './support/signature-checks';

const SOURCE_DIR = join(__dirname, '../src');
const LABEL = /\/\/ ((?:Pre|Post)condition: .+)$/gm;

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof AuthError) {
      return error.reason;
    }
    if (error instanceof ApiError) {
      return error.code;
    }
    throw error;
  }

  return 'NO_ERROR';
}

/** Provider modules are left out: each provider's own tests cover its labelled checks. */
const PROVIDER_MODULES_DIR = join(SOURCE_DIR, 'composition/providers');

function sourceFiles(directory: string): string[] {
  if (directory === PROVIDER_MODULES_DIR) {
    return [];
  }

  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

/** One test per labelled security check in `src/`, named by its label. */
const CHECKS: Record<string, () => Promise<void> | void> = {
  'Precondition: exactly one Authorization header is present.': () => {
    expect(codeOf(() => extractBearerToken(undefined))).toBe('MISSING_HEADER');
    expect(codeOf(() => extractBearerToken(['Bearer a', 'Bearer b']))).toBe('MULTIPLE_HEADERS');
  },
  'Precondition: the header is short enough to parse.': () => {
    expect(codeOf(() => extractBearerToken(`Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}`))).toBe(
      'TOKEN_TOO_LONG',
    );
  },
  'Precondition: the scheme is Bearer.': () => {
    expect(codeOf(() => extractBearerToken('Token abc'))).toBe('WRONG_SCHEME');
    expect(extractBearerToken('bEaReR abc')).toBe('abc');
  },
  'Precondition: the token is not empty.': () => {
    expect(codeOf(() => extractBearerToken('Bearer  '))).toBe('EMPTY_TOKEN');
  },
  'Precondition: the token carries a non-empty string ewi claim.': async () => {
    const service = await startTestService();
    try {
      for (const ewi of [undefined, '', 5]) {
        const token = await service.jwks.mintToken({ claims: { ewi } });
        const response = await service.handle({
          method: 'POST',
          path: '/encrypt',
          headers: { authorization: `Bearer ${token}` },
          body: '{"plaintext":"x"}',
        });

        expect(response.statusCode).toBe(401);
      }
    } finally {
      await service.close();
    }
  },
  'Precondition: the plaintext is not empty.': () => {
    expect(codeOf(() => encodePlaintext(''))).toBe('INVALID_INPUT');
  },
  'Precondition: the plaintext is well-formed Unicode.': () => {
    expect(codeOf(() => encodePlaintext('a\udc00'))).toBe('INVALID_INPUT');
  },
  'Precondition: the request has a body.': () => {
    expect(codeOf(() => parseJsonObject(undefined))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseJsonObject('  '))).toBe('INVALID_INPUT');
  },
  'Precondition: the body is JSON.': () => {
    expect(codeOf(() => parseJsonObject('{plaintext: x}'))).toBe('INVALID_INPUT');
  },
  'Precondition: the body is a JSON object.': () => {
    expect(codeOf(() => parseJsonObject('[1]'))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseJsonObject('null'))).toBe('INVALID_INPUT');
  },
  'Precondition: the body is within MAX_BODY_BYTES.': async () => {
    const handle = createApiHandler({
      cipher: {
        name: 'unused',
        maxPlaintextBytes: 1,
        encrypt: async () => new Uint8Array(1),
        decrypt: async () => new Uint8Array(1),
        recognizes: () => true,
        checkHealth: async () => ({ healthy: true, provider: 'unused', detail: '' }),
      },
      verifier: {
        verify: async () => {
          throw new Error('The token must not be checked before the body size.');
        },
      },
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: DISABLED_METRICS,
      maxBodyBytes: 1024,
      corsOrigins: { kind: 'any' },
      deepHealthCheck: false,
    });

    const response = await handle({
      method: 'POST',
      path: '/nowhere',
      headers: {},
      body: 'x'.repeat(1025),
    });

    expect(response.statusCode).toBe(413);
  },
  "Precondition: the entry is used only before the token's exp and the cache's max age.": () => {
    let now = 1_000_000;
    const cache = new VerificationCache({ maxEntries: 10, maxAgeSeconds: 60 }, () => now);
    cache.set('token-exp', { ewi: 'wallet-a' }, 'key', now / 1000 + 2);
    cache.set('token-age', { ewi: 'wallet-a' }, 'key', now / 1000 + 3600);

    now += 2000;
    expect(cache.get('token-exp')).toBeUndefined();
    now += 58_000;
    expect(cache.get('token-age')).toBeUndefined();
  },
  'Precondition: the clock tolerance is a finite number of seconds, 0 or more.': async () => {
    const key = await createTestSigningKey();
    const keyResolver = createLocalJWKSet({ keys: [key.publicJwk] });
    for (const clockToleranceSeconds of [Number.NaN, -1]) {
      expect(
        () => new JwtVerifier({ keyResolver, algorithms: ['RS256'], clockToleranceSeconds }),
      ).toThrow(TypeError);
    }
    expect(
      () => new JwtVerifier({ keyResolver, algorithms: ['RS256'], clockToleranceSeconds: 0 }),
    ).not.toThrow();
  },
  'Precondition: the key resolver still returns the key that verified this token.': async () => {
    const key = await createTestSigningKey();
    const firstKeySet = createLocalJWKSet({ keys: [key.publicJwk] });
    const secondKeySet = createLocalJWKSet({ keys: [key.publicJwk] });
    let keySet = firstKeySet;
    const verifier = new JwtVerifier({
      keyResolver: async (header, token) => keySet(header, token),
      algorithms: ['RS256'],
      clockToleranceSeconds: 0,
      verificationCache: { maxEntries: 10, maxAgeSeconds: 60 },
    });
    const bearer = `Bearer ${await signTestToken(key)}`;
    const signatureChecks = countSignatureChecks();

    await verifier.verify(bearer);
    await verifier.verify(bearer);
    expect(signatureChecks()).toBe(1);

    keySet = secondKeySet;
    await verifier.verify(bearer);
    expect(signatureChecks()).toBe(2);
    jest.restoreAllMocks();
  },
  'Precondition: the ciphertext is not empty.': () => {
    expect(codeOf(() => decodeStrictBase64(''))).toBe('INVALID_CIPHERTEXT');
  },
  'Precondition: the ciphertext is canonical standard base64.': () => {
    expect(codeOf(() => decodeStrictBase64('AQ=='))).toBe('NO_ERROR');
    for (const text of ['AQ', 'AQ=', 'AR==', 'A-_w', 'AQ ==', 'AQ==\n']) {
      expect(codeOf(() => decodeStrictBase64(text))).toBe('INVALID_CIPHERTEXT');
    }
  },
};

describe('labelled checks', () => {
  it.each(Object.keys(CHECKS))('%s', async (label) => {
    await CHECKS[label]!();
  });

  it('every label in src has a test', () => {
    const labels = sourceFiles(SOURCE_DIR).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(LABEL)].map((match) => match[1]!),
    );

    expect([...new Set(labels)].sort()).toEqual(Object.keys(CHECKS).sort());
  });
});
