import { describe, expect, it } from '@jest/globals';

import { resolveAwsKmsOptions, type AwsKmsKeyShareCipherOptions } from '../src';

const KEY = 'alias/dkms-customer-key-test';

describe('resolveAwsKmsOptions', () => {
  it('applies the defaults', () => {
    expect(resolveAwsKmsOptions({ keyId: KEY })).toEqual({
      keyId: KEY,
      decryptKeyIds: [],
      mode: 'direct',
      region: undefined,
      endpoint: undefined,
      connectTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      maxAttempts: 3,
      cache: undefined,
    });
  });

  it('fills in cache defaults', () => {
    const resolved = resolveAwsKmsOptions({
      keyId: KEY,
      mode: 'envelope',
      cache: { maxAgeSeconds: 30 },
    });

    expect(resolved.cache).toEqual({
      maxAgeSeconds: 30,
      maxMessagesPerDataKey: 1000,
      maxBytesPerDataKey: 4194304,
      capacity: 1000,
    });
  });

  const invalid: readonly [string, unknown, string][] = [
    ['missing keyId', {}, '"keyId" option must be a KMS key id'],
    ['blank keyId', { keyId: ' ' }, '"keyId" option must be a KMS key id'],
    ['keyId with spaces', { keyId: 'alias/a b' }, '"keyId" option must not contain spaces'],
    [
      'decryptKeyIds not an array',
      { keyId: KEY, decryptKeyIds: 'x' },
      '"decryptKeyIds" option must be an array',
    ],
    [
      'empty decrypt key',
      { keyId: KEY, decryptKeyIds: [''] },
      '"decryptKeyIds[0]" option must be a KMS key id',
    ],
    [
      'repeated decrypt key',
      { keyId: KEY, decryptKeyIds: [KEY] },
      '"decryptKeyIds" option must not repeat',
    ],
    [
      'unknown mode',
      { keyId: KEY, mode: 'hybrid' },
      '"mode" option must be "direct" or "envelope"',
    ],
    [
      'cache in direct mode',
      { keyId: KEY, cache: { maxAgeSeconds: 1 } },
      '"cache" option applies to envelope mode',
    ],
    ['empty region', { keyId: KEY, region: '' }, '"region" option must be a non-empty string'],
    [
      'relative endpoint',
      { keyId: KEY, endpoint: 'localhost:4566' },
      '"endpoint" option must be an absolute http',
    ],
    [
      'file endpoint',
      { keyId: KEY, endpoint: 'file:///tmp/kms' },
      '"endpoint" option must be an absolute http',
    ],
    [
      'zero connect timeout',
      { keyId: KEY, connectTimeoutMs: 0 },
      '"connectTimeoutMs" option must be an integer',
    ],
    [
      'fractional timeout',
      { keyId: KEY, requestTimeoutMs: 1.5 },
      '"requestTimeoutMs" option must be an integer',
    ],
    [
      'zero attempts',
      { keyId: KEY, maxAttempts: 0 },
      '"maxAttempts" option must be an integer from 1 to 10',
    ],
    [
      'cache max age zero',
      { keyId: KEY, mode: 'envelope', cache: { maxAgeSeconds: 0 } },
      '"cache.maxAgeSeconds"',
    ],
    [
      'cache capacity zero',
      { keyId: KEY, mode: 'envelope', cache: { maxAgeSeconds: 1, capacity: 0 } },
      '"cache.capacity" option must be an integer',
    ],
  ];

  it.each(invalid)('rejects %s', (_, options, message) => {
    expect(() => resolveAwsKmsOptions(options as AwsKmsKeyShareCipherOptions)).toThrow(TypeError);
    expect(() => resolveAwsKmsOptions(options as AwsKmsKeyShareCipherOptions)).toThrow(message);
  });
});
