import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from '@jest/globals';
import {
  DecryptionFailedError,
  InvalidEncryptionContextError,
  InvalidPlaintextError,
  KeyAccessDeniedError,
  KeyNotFoundError,
  KeyUnusableError,
  MalformedCiphertextError,
  PlaintextTooLargeError,
  ProviderFailureError,
  ProviderThrottledError,
  ProviderUnavailableError,
  UnrecognizedCiphertextError,
  type HealthStatus,
  type KeyShareCipher,
  type KeyShareCipherErrorCode,
} from '@split-kms/core';
import { parse } from 'yaml';

import { ConfigurationError } from '../src/config/configuration-error';
import { createApiHandler } from '../src/http/handler';
import { HTTP_ERROR_CODES, httpCodeForCoreCode, type HttpErrorCode } from '../src/http/error-codes';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';
import { createCapturingLogger } from './support/log-capture';
import { envelopeOf, postJson } from './support/service';

const OPENAPI_PATH = join(__dirname, '../../../docs/openapi.yaml');

interface OpenApiResponse {
  readonly $ref?: string;
  readonly 'x-error-codes'?: readonly string[];
}

/** Collects every (status, code) pair that docs/openapi.yaml documents. */
function documentedPairs(document: Record<string, unknown>): [number, string][] {
  const components = (document['components'] as { responses: Record<string, OpenApiResponse> })
    .responses;
  const resolve = (response: OpenApiResponse): OpenApiResponse =>
    response.$ref === undefined ? response : components[response.$ref.split('/').at(-1)!]!;
  const pairs: [number, string][] = [];

  for (const path of Object.values(document['paths'] as Record<string, Record<string, unknown>>)) {
    for (const operation of Object.values(path)) {
      const responses =
        (operation as { responses?: Record<string, OpenApiResponse> }).responses ?? {};
      for (const [status, response] of Object.entries(responses)) {
        for (const code of resolve(response)['x-error-codes'] ?? []) {
          pairs.push([Number(status), code]);
        }
      }
    }
  }

  return pairs;
}

describe('HTTP_ERROR_CODES', () => {
  const document = parse(readFileSync(OPENAPI_PATH, 'utf8'), { merge: true }) as Record<
    string,
    unknown
  >;

  it('lists the same codes as the OpenAPI ErrorCode enum', () => {
    const schemas = (document['components'] as { schemas: Record<string, { enum?: string[] }> })
      .schemas;

    expect([...schemas['ErrorCode']!.enum!].sort()).toEqual(Object.keys(HTTP_ERROR_CODES).sort());
  });

  it('gives each code the status the OpenAPI document gives it', () => {
    const pairs = documentedPairs(document);

    expect(pairs.length).toBeGreaterThan(10);
    for (const [status, code] of pairs) {
      expect({ code, status: HTTP_ERROR_CODES[code as HttpErrorCode]?.status }).toEqual({
        code,
        status,
      });
    }
  });

  it('maps every core error code', () => {
    const coreCodes: KeyShareCipherErrorCode[] = [
      'INVALID_ENCRYPTION_CONTEXT',
      'INVALID_PLAINTEXT',
      'PLAINTEXT_TOO_LARGE',
      'MALFORMED_CIPHERTEXT',
      'UNRECOGNIZED_CIPHERTEXT',
      'DECRYPTION_FAILED',
      'KEY_NOT_FOUND',
      'KEY_UNUSABLE',
      'KEY_ACCESS_DENIED',
      'PROVIDER_THROTTLED',
      'PROVIDER_UNAVAILABLE',
      'PROVIDER_FAILURE',
    ];

    for (const coreCode of coreCodes) {
      expect({ coreCode, mapped: httpCodeForCoreCode(coreCode) === 'UNKNOWN_ERROR' }).toEqual({
        coreCode,
        mapped: false,
      });
    }
  });
});

/** Creates a provider that fails every call with one error, for faults that a real provider cannot produce here. */
function failingCipher(error: unknown): KeyShareCipher {
  const fail = async (): Promise<never> => {
    throw error;
  };

  return {
    name: 'failing',
    maxPlaintextBytes: 4096,
    encrypt: fail,
    decrypt: fail,
    recognizes: () => true,
    checkHealth: async (): Promise<HealthStatus> => ({
      healthy: false,
      provider: 'failing',
      detail: 'always fails',
    }),
  };
}

function handlerFailingWith(error: unknown): ReturnType<typeof createApiHandler> {
  return createApiHandler({
    cipher: failingCipher(error),
    verifier: { verify: async () => ({ ewi: 'wallet-a' }) },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: DISABLED_METRICS,
    maxBodyBytes: 65_536,
    corsOrigins: { kind: 'list', origins: ['https://auth.magic.link'] },
    deepHealthCheck: true,
  });
}

const SECRET_KEY_NAME = 'arn:aws:kms:eu-west-1:111122223333:key/secret-key-id';

describe('error mapping', () => {
  const cases: readonly [string, unknown, number, HttpErrorCode][] = [
    [
      'InvalidEncryptionContextError',
      new InvalidEncryptionContextError('bad context'),
      400,
      'INVALID_ENCRYPTION_CONTEXT',
    ],
    ['InvalidPlaintextError', new InvalidPlaintextError('bad plaintext'), 400, 'INVALID_INPUT'],
    ['PlaintextTooLargeError', new PlaintextTooLargeError(4096), 413, 'PLAINTEXT_TOO_LARGE'],
    [
      'MalformedCiphertextError',
      new MalformedCiphertextError('bad header'),
      400,
      'INVALID_CIPHERTEXT',
    ],
    ['UnrecognizedCiphertextError', new UnrecognizedCiphertextError(), 400, 'INVALID_CIPHERTEXT'],
    ['DecryptionFailedError', new DecryptionFailedError(), 400, 'DECRYPTION_FAILED'],
    [
      'KeyNotFoundError',
      new KeyNotFoundError(`Key ${SECRET_KEY_NAME} not found.`),
      500,
      'KEY_UNAVAILABLE',
    ],
    [
      'KeyUnusableError',
      new KeyUnusableError(`Key ${SECRET_KEY_NAME} is disabled.`),
      500,
      'KEY_UNAVAILABLE',
    ],
    [
      'KeyAccessDeniedError',
      new KeyAccessDeniedError(`Denied on ${SECRET_KEY_NAME}.`),
      500,
      'KEY_ACCESS_DENIED',
    ],
    [
      'ProviderThrottledError',
      new ProviderThrottledError('slow down', 2.5),
      503,
      'KEY_SERVICE_THROTTLED',
    ],
    [
      'ProviderUnavailableError',
      new ProviderUnavailableError(`No route to ${SECRET_KEY_NAME}.`),
      503,
      'KEY_SERVICE_UNAVAILABLE',
    ],
    [
      'ProviderFailureError',
      new ProviderFailureError(`Odd reply for ${SECRET_KEY_NAME}.`),
      500,
      'KEY_SERVICE_ERROR',
    ],
    ['ConfigurationError', new ConfigurationError(['PORT: bad.']), 500, 'SERVICE_MISCONFIGURED'],
    ['TypeError', new TypeError(`Cannot read ${SECRET_KEY_NAME}`), 500, 'UNKNOWN_ERROR'],
    ['thrown string', 'plain string', 500, 'UNKNOWN_ERROR'],
  ];

  it.each(cases)('answers %s with its status and code', async (_name, error, status, code) => {
    const response = await handlerFailingWith(error)(
      postJson('/encrypt', { plaintext: 'share' }, 'token'),
    );
    const envelope = envelopeOf(response);

    expect(response.statusCode).toBe(status);
    expect(envelope.error_code).toBe(code);
    expect(envelope.data).toEqual({});
    expect(envelope.message).not.toContain(SECRET_KEY_NAME);
    expect(response.headers['Access-Control-Allow-Origin']).toBe('https://auth.magic.link');
  });

  it('logs server errors at ERROR with the key id', async () => {
    const { logger, lines } = createCapturingLogger('INFO');
    const handle = createApiHandler({
      cipher: failingCipher(new KeyNotFoundError(`Key ${SECRET_KEY_NAME} not found.`)),
      verifier: { verify: async () => ({ ewi: 'wallet-a' }) },
      logger,
      metrics: DISABLED_METRICS,
      maxBodyBytes: 65_536,
      corsOrigins: { kind: 'any' },
      deepHealthCheck: true,
    });

    const response = await handle({
      ...postJson('/encrypt', { plaintext: 'share' }, 'token'),
      requestId: 'req-500',
    });

    const errors = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry['level'] === 'ERROR');
    expect(response.body).not.toContain(SECRET_KEY_NAME);
    expect(errors.some((entry) => JSON.stringify(entry).includes(SECRET_KEY_NAME))).toBe(true);
    expect(errors.every((entry) => entry['requestId'] === 'req-500')).toBe(true);
  });

  it('keeps the core message of client errors', async () => {
    const response = await handlerFailingWith(new DecryptionFailedError())(
      postJson('/decrypt', { ciphertext: 'AAAA' }, 'token'),
    );

    expect(envelopeOf(response).message).toBe(DecryptionFailedError.MESSAGE);
  });

  it('sends Retry-After, rounded up, when throttled', async () => {
    const response = await handlerFailingWith(new ProviderThrottledError('slow down', 2.5))(
      postJson('/encrypt', { plaintext: 'share' }, 'token'),
    );

    expect(response.headers['Retry-After']).toBe('3');
    expect(envelopeOf(response).status).toBe('SERVICE_UNAVAILABLE');
  });

  it('answers 503 when the deep health check fails', async () => {
    const response = await handlerFailingWith(new Error('unused'))({
      method: 'GET',
      path: '/healthz',
      headers: {},
      query: { deep: 'true' },
    });

    expect(response.statusCode).toBe(503);
    expect(envelopeOf(response).error_code).toBe('KEY_SERVICE_UNAVAILABLE');
  });

  it('skips the deep health check when disabled', async () => {
    const handler = createApiHandler({
      cipher: failingCipher(new Error('unused')),
      verifier: { verify: async () => ({ ewi: 'wallet-a' }) },
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: DISABLED_METRICS,
      maxBodyBytes: 65_536,
      corsOrigins: { kind: 'any' },
      deepHealthCheck: false,
    });

    const response = await handler({
      method: 'GET',
      path: '/healthz',
      headers: {},
      query: { deep: 'true' },
    });

    expect(response.statusCode).toBe(200);
  });
});
