import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestSigningKey, signTestToken } from '@split-kms/testing/jwks';
import { base64url, SignJWT } from 'jose';

import type { ApiRequest } from '../src/http/types';
import {
  encryptThrough,
  envelopeOf,
  postJson,
  roundTrip,
  startTestService,
  type TestService,
} from './support/service';

let service: TestService;
let token: string;

beforeAll(async () => {
  service = await startTestService({ env: { MAX_BODY_BYTES: '8192' } });
  token = await service.jwks.mintToken({ claims: { ewi: 'wallet-a' } });
});

afterAll(async () => {
  await service.close();
});

/** A request factory, called after `beforeAll` so it can use the token and the service. */
type RequestFactory = () => Promise<ApiRequest>;

function withAuthorization(
  authorization: string,
  body: unknown = { plaintext: 'share' },
): ApiRequest {
  return {
    method: 'POST',
    path: '/encrypt',
    headers: { authorization },
    body: JSON.stringify(body),
  };
}

function rawEncrypt(body: string | undefined): ApiRequest {
  return {
    method: 'POST',
    path: '/encrypt',
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body }),
  };
}

async function tokenWith(options: Parameters<typeof signTestToken>[1]): Promise<string> {
  return service.jwks.mintToken(options);
}

async function validCiphertext(): Promise<Buffer> {
  return Buffer.from(await encryptThrough(service.handle, token, 'a share to damage'), 'base64');
}

/** Returns a valid ciphertext in URL-safe base64, retrying until its standard form has a `+` or `/` to replace. */
async function urlSafeCiphertext(): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const standard = (await validCiphertext()).toString('base64');
    if (/[+/]/.test(standard)) {
      return standard.replaceAll('+', '-').replaceAll('/', '_');
    }
  }
  throw new Error('No ciphertext with + or / in 100 attempts.');
}

const unsignedToken = (): string =>
  `${base64url.encode('{"alg":"none","typ":"JWT"}')}.${base64url.encode('{"ewi":"wallet-a"}')}.`;

const badRequests: readonly [string, RequestFactory, number, string][] = [
  // Authorization
  [
    'no Authorization header',
    async () => postJson('/encrypt', { plaintext: 'share' }),
    401,
    'ACCESS_DENIED',
  ],
  ['Basic scheme', async () => withAuthorization('Basic dXNlcjpwYXNz'), 401, 'ACCESS_DENIED'],
  ['empty bearer token', async () => withAuthorization('Bearer '), 401, 'ACCESS_DENIED'],
  ['garbage bearer token', async () => withAuthorization('Bearer garbage'), 401, 'ACCESS_DENIED'],
  [
    'very long bearer token',
    async () => withAuthorization(`Bearer ${'x'.repeat(20_000)}`),
    401,
    'ACCESS_DENIED',
  ],
  [
    'expired token',
    async () => withAuthorization(`Bearer ${await tokenWith({ expiresInSeconds: -60 })}`),
    401,
    'ACCESS_DENIED',
  ],
  [
    'token not yet valid',
    async () => withAuthorization(`Bearer ${await tokenWith({ notBeforeInSeconds: 600 })}`),
    401,
    'ACCESS_DENIED',
  ],
  [
    'token signed by an unknown key',
    async () => withAuthorization(`Bearer ${await signTestToken(await createTestSigningKey())}`),
    401,
    'ACCESS_DENIED',
  ],
  ['alg none', async () => withAuthorization(`Bearer ${unsignedToken()}`), 401, 'ACCESS_DENIED'],
  [
    'HS256 token',
    async () =>
      withAuthorization(
        `Bearer ${await new SignJWT({ ewi: 'wallet-a' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('5m')
          .sign(randomBytes(32))}`,
      ),
    401,
    'ACCESS_DENIED',
  ],
  [
    'token without ewi',
    async () => withAuthorization(`Bearer ${await tokenWith({ claims: { ewi: undefined } })}`),
    401,
    'ACCESS_DENIED',
  ],
  [
    'token with empty ewi',
    async () => withAuthorization(`Bearer ${await tokenWith({ claims: { ewi: '' } })}`),
    401,
    'ACCESS_DENIED',
  ],
  [
    'token with numeric ewi',
    async () => withAuthorization(`Bearer ${await tokenWith({ claims: { ewi: 7 } })}`),
    401,
    'ACCESS_DENIED',
  ],
  [
    'token with a lone surrogate in ewi',
    async () =>
      withAuthorization(`Bearer ${await tokenWith({ claims: { ewi: 'wallet-\ud800' } })}`),
    400,
    'INVALID_ENCRYPTION_CONTEXT',
  ],
  // Body
  ['missing body', async () => rawEncrypt(undefined), 400, 'INVALID_INPUT'],
  ['empty body', async () => rawEncrypt(''), 400, 'INVALID_INPUT'],
  ['body that is not JSON', async () => rawEncrypt('plaintext=share'), 400, 'INVALID_INPUT'],
  ['truncated JSON body', async () => rawEncrypt('{"plaintext": "sh'), 400, 'INVALID_INPUT'],
  ['JSON null body', async () => rawEncrypt('null'), 400, 'INVALID_INPUT'],
  ['JSON array body', async () => rawEncrypt('[{"plaintext":"share"}]'), 400, 'INVALID_INPUT'],
  ['JSON string body', async () => rawEncrypt('"share"'), 400, 'INVALID_INPUT'],
  ['body without plaintext', async () => rawEncrypt('{"text":"share"}'), 400, 'INVALID_INPUT'],
  [
    'body that is not UTF-8',
    async () => ({ ...rawEncrypt(undefined), body: Uint8Array.of(0x7b, 0xff, 0x7d) }),
    400,
    'INVALID_INPUT',
  ],
  // Plaintext
  ['numeric plaintext', async () => rawEncrypt('{"plaintext":42}'), 400, 'INVALID_INPUT'],
  ['object plaintext', async () => rawEncrypt('{"plaintext":{"a":"b"}}'), 400, 'INVALID_INPUT'],
  ['null plaintext', async () => rawEncrypt('{"plaintext":null}'), 400, 'INVALID_INPUT'],
  ['empty plaintext', async () => rawEncrypt('{"plaintext":""}'), 400, 'INVALID_INPUT'],
  [
    'plaintext with a lone surrogate',
    async () => rawEncrypt('{"plaintext":"a\\ud800b"}'),
    400,
    'INVALID_INPUT',
  ],
  [
    'plaintext over the limit',
    async () => rawEncrypt(JSON.stringify({ plaintext: 'x'.repeat(4097) })),
    413,
    'PLAINTEXT_TOO_LARGE',
  ],
  // Ciphertext
  [
    'body without ciphertext',
    async () => postJson('/decrypt', { plaintext: 'x' }, token),
    400,
    'INVALID_INPUT',
  ],
  [
    'numeric ciphertext',
    async () => postJson('/decrypt', { ciphertext: 12 }, token),
    400,
    'INVALID_INPUT',
  ],
  [
    'empty ciphertext',
    async () => postJson('/decrypt', { ciphertext: '' }, token),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'ciphertext that is not base64',
    async () => postJson('/decrypt', { ciphertext: 'not base64!' }, token),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'URL-safe base64 ciphertext',
    async () => postJson('/decrypt', { ciphertext: await urlSafeCiphertext() }, token),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'ciphertext with whitespace',
    async () =>
      postJson(
        '/decrypt',
        { ciphertext: ` ${(await validCiphertext()).toString('base64')}` },
        token,
      ),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'ciphertext without padding',
    async () => postJson('/decrypt', { ciphertext: 'U0tNUw' }, token),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'ciphertext with non-zero padding bits',
    async () => postJson('/decrypt', { ciphertext: 'U0tNUx==' }, token),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'ciphertext truncated inside the header',
    async () =>
      postJson(
        '/decrypt',
        { ciphertext: (await validCiphertext()).subarray(0, 12).toString('base64') },
        token,
      ),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'ciphertext truncated inside the tag',
    async () => {
      const ciphertext = await validCiphertext();

      return postJson(
        '/decrypt',
        { ciphertext: ciphertext.subarray(0, ciphertext.length - 3).toString('base64') },
        token,
      );
    },
    400,
    'DECRYPTION_FAILED',
  ],
  [
    'tampered ciphertext',
    async () => {
      const ciphertext = await validCiphertext();
      ciphertext[ciphertext.length - 20]! ^= 0x01;

      return postJson('/decrypt', { ciphertext: ciphertext.toString('base64') }, token);
    },
    400,
    'DECRYPTION_FAILED',
  ],
  [
    'random bytes as ciphertext',
    async () => postJson('/decrypt', { ciphertext: randomBytes(64).toString('base64') }, token),
    400,
    'INVALID_CIPHERTEXT',
  ],
  [
    'ciphertext made for another wallet',
    async () => {
      const other = await tokenWith({ claims: { ewi: 'wallet-b' } });
      const ciphertext = await encryptThrough(service.handle, other, 'wallet b share');

      return postJson('/decrypt', { ciphertext }, token);
    },
    400,
    'DECRYPTION_FAILED',
  ],
  // Size
  [
    'body over MAX_BODY_BYTES',
    async () => rawEncrypt(JSON.stringify({ plaintext: 'x'.repeat(9000) })),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
  [
    'oversized body without a token',
    async () => ({ method: 'POST', path: '/decrypt', headers: {}, body: 'x'.repeat(9000) }),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
  [
    'invalid body without a token',
    async () => ({ method: 'POST', path: '/encrypt', headers: {}, body: 'nope' }),
    401,
    'ACCESS_DENIED',
  ],
];

describe('handler rejects bad input', () => {
  it.each(badRequests)('%s', async (_name, makeRequest, status, code) => {
    const response = await service.handle(await makeRequest());
    const envelope = envelopeOf(response);

    expect(response.statusCode).toBe(status);
    expect(envelope.error_code).toBe(code);
    expect(envelope.data).toEqual({});
    expect(envelope.message).not.toBe('');
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(await roundTrip(service.handle, token, 'still works')).toBe('still works');
  });
});

describe('handler', () => {
  it('encrypts and decrypts Unicode text', async () => {
    const plaintext = 'éà 鍵 🔑 \u0000 end';

    expect(await roundTrip(service.handle, token, plaintext)).toBe(plaintext);
  });

  it('answers the success envelope', async () => {
    const response = await service.handle(postJson('/encrypt', { plaintext: 'share' }, token));

    expect(response.statusCode).toBe(200);
    expect(Object.keys(JSON.parse(response.body) as object)).toEqual([
      'data',
      'error_code',
      'message',
      'status',
    ]);
    expect(envelopeOf(response)).toMatchObject({ error_code: '', message: '', status: 'OK' });
    expect(envelopeOf(response).data['ciphertext']).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  });

  it('gives a new ciphertext on every encrypt', async () => {
    const first = await encryptThrough(service.handle, token, 'same share');
    const second = await encryptThrough(service.handle, token, 'same share');

    expect(first).not.toBe(second);
  });

  it('accepts a base64-decoded byte body', async () => {
    const response = await service.handle({
      ...rawEncrypt(undefined),
      body: new TextEncoder().encode('{"plaintext":"bytes"}'),
    });

    expect(response.statusCode).toBe(200);
  });

  it('accepts the Bearer scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      const response = await service.handle(withAuthorization(`${scheme} ${token}`));

      expect(response.statusCode).toBe(200);
    }
  });

  it('accepts headers in any case', async () => {
    const response = await service.handle({
      method: 'post',
      path: '/encrypt',
      headers: { AUTHORIZATION: `Bearer ${token}` },
      body: '{"plaintext":"share"}',
    });

    expect(response.statusCode).toBe(200);
  });

  it('answers healthz with an empty object and no token', async () => {
    const response = await service.handle({ method: 'GET', path: '/healthz', headers: {} });

    expect(response.statusCode).toBe(200);
    expect(envelopeOf(response)).toEqual({ data: {}, error_code: '', message: '', status: 'OK' });
  });

  it('runs the deep health check', async () => {
    const response = await service.handle({
      method: 'GET',
      path: '/healthz',
      headers: {},
      query: { deep: 'true' },
    });

    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['GET', '/nope'],
    ['GET', '/encrypt'],
    ['PUT', '/decrypt'],
    ['DELETE', '/healthz'],
    ['POST', '/encrypt/'],
    ['POST', '/ENCRYPT'],
  ])('answers 404 for %s %s, naming the path', async (method, path) => {
    const response = await service.handle({ method, path, headers: {} });
    const envelope = envelopeOf(response);

    expect(response.statusCode).toBe(404);
    expect(envelope).toMatchObject({ error_code: 'INVALID_PATH', status: 'NOT_FOUND', data: {} });
    expect(envelope.message).toContain(path);
  });

  it('does not echo control characters or long paths', async () => {
    const path = `/a\u0000b\r\nSet-Cookie: x${'y'.repeat(500)}`;
    const response = await service.handle({ method: 'GET', path, headers: {} });
    const message = envelopeOf(response).message;

    expect([...message].some((character) => character.charCodeAt(0) < 0x20)).toBe(false);
    expect(message.length).toBeLessThan(250);
    expect(message).toContain('/a?b??Set-Cookie');
  });

  it('records one metric per request', async () => {
    service.metrics.length = 0;
    await service.handle(postJson('/encrypt', { plaintext: 'share' }, token));
    await service.handle({ method: 'GET', path: '/missing', headers: {} });

    expect(service.metrics).toEqual([
      expect.objectContaining({ operation: 'encrypt', outcome: 'success', provider: 'software' }),
      expect.objectContaining({
        operation: 'not_found',
        outcome: 'client_error',
        provider: 'none',
      }),
    ]);
  });
});

describe('CORS', () => {
  const expectContractHeaders = (
    headers: Readonly<Record<string, string>>,
    origin: string,
  ): void => {
    expect(headers['Access-Control-Allow-Origin']).toBe(origin);
    expect(headers['Access-Control-Allow-Credentials']).toBe('true');
    expect(headers['Access-Control-Allow-Headers']).toBe('Content-Type,Authorization');
    expect(headers['Access-Control-Allow-Methods']).toBe('OPTIONS,GET,POST');
  };

  it('sends the default origin on success, error and preflight', async () => {
    const success = await service.handle(postJson('/encrypt', { plaintext: 'share' }, token));
    const failure = await service.handle(postJson('/encrypt', { plaintext: 'share' }));
    const preflight = await service.handle({ method: 'OPTIONS', path: '/encrypt', headers: {} });

    expectContractHeaders(success.headers, 'https://auth.magic.link');
    expectContractHeaders(failure.headers, 'https://auth.magic.link');
    expectContractHeaders(preflight.headers, 'https://auth.magic.link');
    expect(preflight.statusCode).toBe(200);
    expect(envelopeOf(preflight).status).toBe('OK');
  });

  it('answers a preflight on any path', async () => {
    const response = await service.handle({
      method: 'OPTIONS',
      path: '/anything/at/all',
      headers: {},
    });

    expect(response.statusCode).toBe(200);
  });

  it('echoes a listed origin and falls back to the first', async () => {
    const listed = await startTestService({
      env: { CORS_ALLOW_ORIGINS: 'https://a.test,https://b.test' },
    });
    try {
      const echo = await listed.handle({
        method: 'OPTIONS',
        path: '/encrypt',
        headers: { Origin: 'https://b.test' },
      });
      const other = await listed.handle({
        method: 'GET',
        path: '/healthz',
        headers: { origin: 'https://evil.test' },
      });

      expectContractHeaders(echo.headers, 'https://b.test');
      expectContractHeaders(other.headers, 'https://a.test');
      expect(echo.headers['Vary']).toBe('Origin');
    } finally {
      await listed.close();
    }
  });

  it('sends * only when configured', async () => {
    const any = await startTestService({ env: { CORS_ALLOW_ORIGINS: '*' } });
    try {
      const response = await any.handle({
        method: 'GET',
        path: '/healthz',
        headers: { origin: 'https://x.test' },
      });

      expectContractHeaders(response.headers, '*');
    } finally {
      await any.close();
    }
  });
});

describe('handler with a failing JWKS', () => {
  it.each([
    ['down', async (s: TestService) => s.jwks.stop(), async (s: TestService) => s.jwks.restart()],
    [
      'slow',
      async (s: TestService) => {
        s.jwks.delayMs = 2000;
      },
      async (s: TestService) => s.jwks.heal(),
    ],
    [
      'garbage',
      async (s: TestService) => {
        s.jwks.behaviour = { kind: 'garbage' };
      },
      async (s: TestService) => s.jwks.heal(),
    ],
    [
      'answering 500',
      async (s: TestService) => {
        s.jwks.behaviour = { kind: 'status', statusCode: 500 };
      },
      async (s: TestService) => s.jwks.heal(),
    ],
  ])(
    'answers 503 JWKS_UNAVAILABLE while the JWKS is %s, then recovers',
    async (_name, breakJwks, healJwks) => {
      const fresh = await startTestService({ env: { JWKS_CACHE_MAX_AGE_SECONDS: '0' } });
      try {
        const freshToken = await fresh.jwks.mintToken();
        await breakJwks(fresh);

        const response = await fresh.handle(
          postJson('/encrypt', { plaintext: 'share' }, freshToken),
        );
        expect(response.statusCode).toBe(503);
        expect(envelopeOf(response)).toMatchObject({
          error_code: 'JWKS_UNAVAILABLE',
          status: 'SERVICE_UNAVAILABLE',
        });

        await healJwks(fresh);
        expect(await roundTrip(fresh.handle, freshToken)).toBe('share round trip');
      } finally {
        await fresh.close();
      }
    },
  );
});
