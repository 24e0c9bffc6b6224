import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiHandler } from '@split-kms/api-lambda';
import {
  createTestSigningKey,
  signTestToken,
  TestJwksServer,
  type TestSigningKey,
} from '@split-kms/testing/jwks';
import { randomUUID } from 'node:crypto';

import { envelopeOf, postJson } from '../../api-lambda/test/support/service';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { startProviderFixture, type ProviderFixture } from './support/providers';
import {
  hs256WithPublicKey,
  nowSeconds,
  ps256WithIssuerKey,
  signRawRs256,
  unsignedToken,
} from './support/raw-token';
import { requestErrorsWithoutId, sentinelPlaintext } from './support/secret-ledger';

/*
 * Token attacks against the composed API, table-driven: each case builds an
 * Authorization header value, sends POST /encrypt through the handler, and
 * states the status and error_code. Every attack token is also recorded as a
 * secret, and no log line may contain one.
 */

interface AttackContext {
  readonly issuerKey: TestSigningKey;
  readonly strangerKey: TestSigningKey;
  readonly jwks: TestJwksServer;
  /** A second JWKS server the attacker controls; the API must never fetch it. */
  readonly attackerJwks: TestJwksServer;
}

interface AttackCase {
  readonly name: string;
  readonly authorization: (context: AttackContext) => Promise<string | string[] | undefined>;
  readonly status: number;
  readonly code: string;
}

const WALLET = 'wallet-attack';
const ISSUER = 'https://issuer.reliability.test';
const AUDIENCE = 'split-kms-reliability';

function bearer(token: string): string {
  return `Bearer ${token}`;
}

function validClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ewi: WALLET, iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 300, ...extra };
}

function rawToken(
  key: TestSigningKey,
  header: Record<string, unknown>,
  payloadJson: string,
): string {
  return signRawRs256(key, JSON.stringify({ alg: 'RS256', kid: key.kid, ...header }), payloadJson);
}

async function issuerToken(
  context: AttackContext,
  claims: Record<string, unknown>,
  options: { expiresInSeconds?: number; notBeforeInSeconds?: number } = {},
): Promise<string> {
  return signTestToken(context.issuerKey, {
    claims: { iss: ISSUER, aud: AUDIENCE, ...claims },
    ...options,
  });
}

const ALGORITHM_CASES: readonly AttackCase[] = [
  {
    name: 'alg none without a signature',
    authorization: async () => bearer(unsignedToken({ alg: 'none', typ: 'JWT' }, validClaims())),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'alg none with the real kid',
    authorization: async ({ issuerKey }) =>
      bearer(unsignedToken({ alg: 'none', kid: issuerKey.kid }, validClaims())),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'HS256 signed with the public key PEM',
    authorization: async ({ issuerKey }) => bearer(await hs256WithPublicKey(issuerKey, WALLET)),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'PS256 signed with the issuer key',
    authorization: async ({ issuerKey }) => bearer(await ps256WithIssuerKey(issuerKey, WALLET)),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'RS256 with an unknown kid',
    authorization: async ({ strangerKey }) =>
      bearer(await signTestToken(strangerKey, { claims: validClaims() })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'RS256 by another key under the real kid',
    authorization: async ({ strangerKey, issuerKey }) =>
      bearer(await signTestToken(strangerKey, { claims: validClaims(), kid: issuerKey.kid })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'RS256 without kid by another key',
    authorization: async ({ strangerKey }) =>
      bearer(rawToken(strangerKey, { kid: undefined }, JSON.stringify(validClaims()))),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'jku header naming the attacker JWKS',
    authorization: async ({ strangerKey, attackerJwks }) =>
      bearer(rawToken(strangerKey, { jku: attackerJwks.url }, JSON.stringify(validClaims()))),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'jwk header embedding the attacker key',
    authorization: async ({ strangerKey }) =>
      bearer(rawToken(strangerKey, { jwk: strangerKey.publicJwk }, JSON.stringify(validClaims()))),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'tampered payload',
    authorization: async (context) => {
      const [header, , signature] = (await issuerToken(context, { ewi: WALLET })).split('.');
      const payload = Buffer.from(JSON.stringify(validClaims({ ewi: 'wallet-victim' })));

      return bearer(`${header}.${payload.toString('base64url')}.${signature}`);
    },
    status: 401,
    code: 'ACCESS_DENIED',
  },
];

const TIME_CASES: readonly AttackCase[] = [
  {
    name: 'expired a minute ago',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET }, { expiresInSeconds: -60 })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'not valid for another minute',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET }, { notBeforeInSeconds: 60 })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'expired at the current second',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET }, { expiresInSeconds: 0 })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'exp not a number',
    authorization: async ({ issuerKey }) =>
      bearer(rawToken(issuerKey, {}, JSON.stringify(validClaims({ exp: 'tomorrow' })))),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    // The earlier service checked exp only when present, and the contract keeps that.
    name: 'no exp claim at all',
    authorization: async ({ issuerKey }) =>
      bearer(rawToken(issuerKey, {}, JSON.stringify(validClaims({ exp: undefined })))),
    status: 200,
    code: '',
  },
];

const CLAIM_CASES: readonly AttackCase[] = [
  {
    name: 'wrong issuer',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET, iss: 'https://evil.test' })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'no issuer',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET, iss: undefined })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'wrong audience',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET, aud: 'another-service' })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'audience list with the service',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET, aud: ['other', AUDIENCE] })),
    status: 200,
    code: '',
  },
  {
    name: 'crit naming an unknown extension',
    authorization: async ({ issuerKey }) =>
      bearer(
        rawToken(
          issuerKey,
          { crit: ['x-wallet-binding'], 'x-wallet-binding': true },
          JSON.stringify(validClaims()),
        ),
      ),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'crit as an empty list',
    authorization: async ({ issuerKey }) =>
      bearer(rawToken(issuerKey, { crit: [] }, JSON.stringify(validClaims()))),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'crit naming a missing parameter',
    authorization: async ({ issuerKey }) =>
      bearer(rawToken(issuerKey, { crit: ['exp'] }, JSON.stringify(validClaims()))),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'ewi missing',
    authorization: async (context) => bearer(await issuerToken(context, { ewi: undefined })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  ...(
    [
      ['ewi empty', ''],
      ['ewi blank', ' \t '],
      ['ewi a number', 42],
      ['ewi true', true],
      ['ewi null', null],
      ['ewi a list', [WALLET]],
      ['ewi an object', { id: WALLET }],
    ] as const
  ).map(([name, ewi]): AttackCase => ({
    name,
    authorization: async (context) => bearer(await issuerToken(context, { ewi })),
    status: 401,
    code: 'ACCESS_DENIED',
  })),
  {
    name: 'ewi with a lone surrogate',
    authorization: async (context) => bearer(await issuerToken(context, { ewi: 'wallet-\ud800' })),
    status: 400,
    code: 'INVALID_ENCRYPTION_CONTEXT',
  },
];

const SHAPE_CASES: readonly AttackCase[] = [
  {
    name: 'no Authorization header',
    authorization: async () => undefined,
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'two Authorization headers',
    authorization: async (context) => {
      const token = await issuerToken(context, { ewi: WALLET });

      return [bearer(token), bearer(token)];
    },
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'Basic scheme',
    authorization: async () => `Basic ${Buffer.from('user:pass').toString('base64')}`,
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'Bearer without a token',
    authorization: async () => 'Bearer ',
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'two segments',
    authorization: async () => 'Bearer abc.def',
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'five segments like a JWE',
    authorization: async () => 'Bearer a.b.c.d.e',
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'header not JSON',
    authorization: async () => `Bearer ${Buffer.from('{not json').toString('base64url')}.e30.sig`,
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'payload a JSON list',
    authorization: async ({ issuerKey }) => bearer(rawToken(issuerKey, {}, '["ewi"]')),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'oversized token over 8192 characters',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET, padding: 'x'.repeat(9000) })),
    status: 401,
    code: 'ACCESS_DENIED',
  },
  {
    name: 'large token under the limit',
    authorization: async (context) =>
      bearer(await issuerToken(context, { ewi: WALLET, padding: 'x'.repeat(5000) })),
    status: 200,
    code: '',
  },
  {
    name: 'one megabyte of token',
    authorization: async () => bearer('a'.repeat(1024 * 1024)),
    status: 401,
    code: 'ACCESS_DENIED',
  },
];

let fixture: ProviderFixture;
let api: ApiUnderTest;
let context: AttackContext;

beforeAll(async () => {
  fixture = await startProviderFixture('software');
  const jwks = await TestJwksServer.start();
  api = await startApiUnderTest({
    provider: fixture,
    jwks,
    env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWKS_COOLDOWN_SECONDS: '30' },
  });
  context = {
    issuerKey: jwks.currentKey,
    strangerKey: await createTestSigningKey(),
    jwks,
    attackerJwks: await TestJwksServer.start(),
  };
});

afterAll(async () => {
  await api.close();
  await context.jwks.stop();
  await context.attackerJwks.stop();
  await fixture.close();
});

async function send(handle: ApiHandler, authorization: string | string[] | undefined) {
  const plaintext = sentinelPlaintext('attack');
  api.ledger.add('plaintext', plaintext);
  const request = postJson('/encrypt', { plaintext });
  const headers = { ...request.headers, ...(authorization === undefined ? {} : { authorization }) };
  const response = await handle({ ...request, headers });

  return { response, envelope: envelopeOf(response) };
}

describe.each([
  ['algorithm and key', ALGORITHM_CASES],
  ['time', TIME_CASES],
  ['claim and header', CLAIM_CASES],
  ['token shape', SHAPE_CASES],
] as const)('token attacks: %s', (_group, cases) => {
  it.each(cases.map((attack) => [attack.name, attack] as const))('%s', async (_name, attack) => {
    const authorization = await attack.authorization(context);
    for (const value of [authorization ?? []].flat()) {
      api.ledger.add('attack token', value.replace(/^\S+\s+/u, ''));
    }

    const { response, envelope } = await send(api.handle, authorization);

    expect(response.statusCode).toBe(attack.status);
    expect(envelope.error_code).toBe(attack.code);
    expect(response.body).not.toContain(WALLET);
    for (const value of [authorization ?? []].flat().filter((text) => text.length > 40)) {
      expect(response.body).not.toContain(value.slice(-24));
    }
  });
});

describe('token attacks: clock tolerance', () => {
  let tolerant: ApiUnderTest;

  beforeAll(async () => {
    tolerant = await startApiUnderTest({
      provider: fixture,
      jwks: context.jwks,
      env: { JWT_CLOCK_TOLERANCE_SECONDS: '30' },
    });
  });

  afterAll(async () => {
    await tolerant.close();
  });

  it.each([
    ['expired 10 s ago', { expiresInSeconds: -10 }, 200],
    ['expired 60 s ago', { expiresInSeconds: -60 }, 401],
    ['valid in 10 s', { notBeforeInSeconds: 10 }, 200],
    ['valid in 60 s', { notBeforeInSeconds: 60 }, 401],
  ] as const)('tolerance of 30 s: %s', async (_name, options, status) => {
    const token = await signTestToken(context.issuerKey, { claims: { ewi: WALLET }, ...options });

    const { response } = await send(tolerant.handle, bearer(token));

    expect(response.statusCode).toBe(status);
  });
});

describe('token attacks: duplicate ewi claims', () => {
  // Decision: JSON.parse keeps the last duplicate name, and so does jose. A
  // duplicate can only come from the issuer, because the signature covers the
  // payload bytes. The API binds the last ewi; SECURITY.md states this.
  it('binds the last of two ewi claims', async () => {
    const exp = nowSeconds() + 300;
    const payload = `{"ewi":"wallet-first","iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${exp},"ewi":"wallet-last"}`;
    const token = rawToken(context.issuerKey, {}, payload);
    const plaintext = sentinelPlaintext('duplicate');
    api.ledger.add('plaintext', plaintext);

    const encrypted = await api.handle(postJson('/encrypt', { plaintext }, token));
    const ciphertext = envelopeOf(encrypted).data['ciphertext'] as string;
    const asLast = await api.handle(
      postJson('/decrypt', { ciphertext }, await issuerToken(context, { ewi: 'wallet-last' })),
    );
    const asFirst = await api.handle(
      postJson('/decrypt', { ciphertext }, await issuerToken(context, { ewi: 'wallet-first' })),
    );

    expect(encrypted.statusCode).toBe(200);
    expect(envelopeOf(asLast).data['plaintext']).toBe(plaintext);
    expect(envelopeOf(asFirst).error_code).toBe('DECRYPTION_FAILED');
  });
});

describe('token attacks: JWKS fetches', () => {
  it('never fetches the JWKS named in a jku header', () => {
    expect(context.attackerJwks.fetchCount).toBe(0);
  });

  it('fetches once for 200 tokens with unknown kids', async () => {
    const cooled = await startApiUnderTest({
      provider: fixture,
      jwks: context.jwks,
      env: { JWKS_COOLDOWN_SECONDS: '30' },
    });
    await send(
      cooled.handle,
      bearer(await signTestToken(context.issuerKey, { claims: { ewi: WALLET } })),
    );
    const before = context.jwks.fetchCount;

    const statuses = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const token = await signTestToken(context.strangerKey, {
          claims: { ewi: WALLET },
          kid: `unknown-${randomUUID()}`,
        });

        return (await send(cooled.handle, bearer(token))).response.statusCode;
      }),
    );

    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(context.jwks.fetchCount - before).toBeLessThanOrEqual(1);
    await cooled.close();
  });

  it('fetches a rotated key once, not per request', async () => {
    const server = await TestJwksServer.start();
    const rotating = await startApiUnderTest({
      provider: fixture,
      jwks: server,
      env: { JWKS_COOLDOWN_SECONDS: '1' },
    });
    const oldKey = server.currentKey;
    await send(rotating.handle, bearer(await server.mintToken({ claims: { ewi: WALLET } })));
    expect(server.fetchCount).toBe(1);

    await server.rotateKeys();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const statuses = await Promise.all(
      Array.from(
        { length: 100 },
        async () =>
          (await send(rotating.handle, bearer(await server.mintToken({ claims: { ewi: WALLET } }))))
            .response.statusCode,
      ),
    );
    const oldToken = await signTestToken(oldKey, { claims: { ewi: WALLET } });
    const old = await send(rotating.handle, bearer(oldToken));

    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(server.fetchCount).toBe(2);
    expect(old.response.statusCode).toBe(401);
    await rotating.close();
    await server.stop();
  });
});

describe('token attacks: logs', () => {
  it('logs no attack token, claim or plaintext', () => {
    expect(api.ledger.findLeaks(api.logLines)).toEqual([]);
  });

  it('logs every rejection with a request id', () => {
    expect(api.logLines.length).toBeGreaterThan(0);
    expect(requestErrorsWithoutId(api.logLines)).toEqual([]);
  });
});
