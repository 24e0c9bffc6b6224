import {
  DependencyTimeoutException,
  DisabledException,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSInternalException,
  KMSInvalidStateException,
  LimitExceededException,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from '@jest/globals';
import { DecryptionFailedError, type KeyShareCipherErrorCode } from '@split-kms/core';

import { mapKmsError } from '../src';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const METADATA = { httpStatusCode: 400, requestId: 'request-1', attempts: 1, totalRetryDelay: 0 };

function serviceError(name: string, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(`${name} from KMS`), {
    name,
    $fault: fault,
    $metadata: { ...METADATA, httpStatusCode: fault === 'server' ? 500 : 400 },
  });
}

describe('mapKmsError', () => {
  const cases: readonly [string, unknown, KeyShareCipherErrorCode][] = [
    [
      'InvalidCiphertextException',
      new InvalidCiphertextException({ message: 'bad', $metadata: METADATA }),
      'DECRYPTION_FAILED',
    ],
    [
      'IncorrectKeyException',
      new IncorrectKeyException({ message: 'other key', $metadata: METADATA }),
      'DECRYPTION_FAILED',
    ],
    ['ThrottlingException', serviceError('ThrottlingException'), 'PROVIDER_THROTTLED'],
    [
      'LimitExceededException',
      new LimitExceededException({ message: 'rate', $metadata: METADATA }),
      'PROVIDER_THROTTLED',
    ],
    [
      'DisabledException',
      new DisabledException({ message: 'off', $metadata: METADATA }),
      'KEY_UNUSABLE',
    ],
    [
      'KMSInvalidStateException',
      new KMSInvalidStateException({ message: 'pending deletion', $metadata: METADATA }),
      'KEY_UNUSABLE',
    ],
    [
      'NotFoundException',
      new NotFoundException({ message: 'gone', $metadata: METADATA }),
      'KEY_NOT_FOUND',
    ],
    ['AccessDeniedException', serviceError('AccessDeniedException'), 'KEY_ACCESS_DENIED'],
    [
      'KMSInternalException',
      new KMSInternalException({ message: 'oops', $metadata: METADATA }),
      'PROVIDER_UNAVAILABLE',
    ],
    [
      'DependencyTimeoutException',
      new DependencyTimeoutException({ message: 'slow', $metadata: METADATA }),
      'PROVIDER_UNAVAILABLE',
    ],
    [
      'an unmodelled server fault',
      serviceError('InternalFailure', 'server'),
      'PROVIDER_UNAVAILABLE',
    ],
    ['a 503 of any name', serviceError('SomethingElse', 'server'), 'PROVIDER_UNAVAILABLE'],
    [
      'a proxy 502 that is not JSON',
      Object.assign(new SyntaxError('Unexpected token \'<\', "<html>" is not valid JSON'), {
        $metadata: { attempts: 1, totalRetryDelay: 0, httpStatusCode: 502 },
      }),
      'PROVIDER_UNAVAILABLE',
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'PROVIDER_UNAVAILABLE',
    ],
    [
      'an error without an HTTP answer',
      Object.assign(new Error('socket hang up'), {
        $metadata: { attempts: 3, totalRetryDelay: 900 },
      }),
      'PROVIDER_UNAVAILABLE',
    ],
    [
      'a request timeout',
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      'PROVIDER_UNAVAILABLE',
    ],
    [
      'missing credentials',
      Object.assign(new Error('none'), { name: 'CredentialsProviderError' }),
      'PROVIDER_FAILURE',
    ],
    ['an unknown client fault', serviceError('ValidationException'), 'PROVIDER_FAILURE'],
    ['a thrown string', 'boom', 'PROVIDER_FAILURE'],
  ];

  it.each(cases)('maps %s', (_, error, code) => {
    const mapped = mapKmsError(error, { operation: 'Decrypt', keyId: KEY });

    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
  });

  it('names the key and action in the message', () => {
    const mapped = mapKmsError(new NotFoundException({ message: 'gone', $metadata: METADATA }), {
      operation: 'Encrypt',
      keyId: KEY,
    });

    expect(mapped.message).toBe(
      `KMS Encrypt with key ${KEY} failed: the key does not exist in this account and region.`,
    );
  });

  it('gives a throttled caller a retry delay', () => {
    const mapped = mapKmsError(serviceError('ThrottlingException'), {
      operation: 'Encrypt',
      keyId: KEY,
    });

    expect(mapped).toMatchObject({ code: 'PROVIDER_THROTTLED', retryAfterSeconds: 1 });
  });

  it('keeps the fixed message for decryption failures', () => {
    const mapped = mapKmsError(
      new InvalidCiphertextException({ message: 'x', $metadata: METADATA }),
      {
        operation: 'Decrypt',
        keyId: KEY,
      },
    );

    expect(mapped.message).toBe(DecryptionFailedError.MESSAGE);
  });

  it('returns a typed error unchanged', () => {
    const typed = new DecryptionFailedError();

    expect(mapKmsError(typed, { operation: 'Decrypt', keyId: KEY })).toBe(typed);
  });
});
