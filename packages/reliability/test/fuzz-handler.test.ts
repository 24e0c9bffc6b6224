import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiRequest, HeaderValue } from '@split-kms/api-lambda';
import fc from 'fast-check';

import { postJson } from '../../api-lambda/test/support/service';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { expectDocumentedOutcome } from './support/outcomes';
import { startProviderFixture, type ProviderFixture } from './support/providers';
import { requestErrorsWithoutId } from './support/secret-ledger';

/*
 * Arbitrary requests at the transport-free handler: methods, paths, headers,
 * query strings and bodies (text, bytes, JSON, base64). The only outcomes
 * allowed are a 2xx with a correct value or a documented error code.
 */

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 400);

let fixture: ProviderFixture;
let api: ApiUnderTest;
let token: string;

beforeAll(async () => {
  fixture = await startProviderFixture('software');
  api = await startApiUnderTest({ provider: fixture, logLevel: 'DEBUG' });
  token = await api.mintToken('wallet-fuzz');
});

afterAll(async () => {
  await api.close();
  await fixture.close();
});

const methodArbitrary = fc.oneof(
  fc.constantFrom('GET', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'post', 'Get'),
  fc.string({ maxLength: 12 }),
);

const pathArbitrary = fc.oneof(
  fc.constantFrom('/encrypt', '/decrypt', '/healthz', '/', '/encrypt/', '//decrypt', '/ENCRYPT'),
  fc.webPath(),
  fc.string({ maxLength: 200 }),
);

const base64Arbitrary = fc.uint8Array({ maxLength: 300 }).map((bytes) => {
  const text = Buffer.from(bytes).toString('base64');

  return text;
});

const fieldValueArbitrary = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  base64Arbitrary,
  fc.jsonValue({ maxDepth: 2 }),
);

const bodyArbitrary = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      { plaintext: fieldValueArbitrary, ciphertext: fieldValueArbitrary },
      { requiredKeys: [] },
    )
    .map((object) => JSON.stringify(object)),
);

function authorizationArbitrary(): fc.Arbitrary<HeaderValue> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(`Bearer ${token}`),
    fc.constant([`Bearer ${token}`, `Bearer ${token}`]),
    fc.string({ maxLength: 100 }),
    fc.string({ maxLength: 100 }).map((text) => `Bearer ${text}`),
  );
}

function requestArbitrary(): fc.Arbitrary<ApiRequest> {
  return fc
    .record({
      method: methodArbitrary,
      path: pathArbitrary,
      authorization: authorizationArbitrary(),
      headers: fc.dictionary(
        fc.oneof(
          fc.constantFrom('content-type', 'origin', 'content-length', 'x-request-id'),
          fc.string({ maxLength: 20 }),
        ),
        fc.oneof(fc.string({ maxLength: 100 }), fc.array(fc.string({ maxLength: 20 }))),
        { maxKeys: 5 },
      ),
      query: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }))),
      body: bodyArbitrary,
    })
    .map(({ method, path, authorization, headers, query, body }) => ({
      method,
      path,
      headers: { ...headers, authorization },
      ...(query === null ? {} : { query }),
      ...(body === undefined ? {} : { body }),
    }));
}

function plaintextOf(body: ApiRequest['body']): unknown {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);

  return (JSON.parse(text) as Record<string, unknown>)['plaintext'];
}

describe('handler fuzzing', () => {
  it('answers any request with a documented outcome', async () => {
    const statuses = new Set<number>();

    await fc.assert(
      fc.asyncProperty(requestArbitrary(), async (request) => {
        const response = await api.handle(request);
        const envelope = expectDocumentedOutcome(response);
        statuses.add(response.statusCode);

        const ciphertext = envelope.data['ciphertext'];
        if (typeof ciphertext === 'string') {
          const decrypted = await api.handle(postJson('/decrypt', { ciphertext }, token));
          expect(JSON.parse(decrypted.body)).toMatchObject({
            data: { plaintext: plaintextOf(request.body) },
          });
        }
      }),
      {
        numRuns: RUNS,
        // Fixed cases first, so every run reaches the body checks, the token check and the router.
        examples: [
          [postJson('/encrypt', { plaintext: 7 }, token)],
          [postJson('/decrypt', { ciphertext: 'not base64' })],
          [{ method: 'GET', path: '/nowhere', headers: {} }],
        ],
      },
    );

    // The requests reach the router, the token check and the body checks.
    expect([...statuses]).toEqual(expect.arrayContaining([400, 401, 404]));
  });

  it('answers any JSON field at /encrypt and /decrypt with a documented outcome', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/encrypt', '/decrypt'),
        fieldValueArbitrary,
        async (path, value) => {
          const field = path === '/encrypt' ? 'plaintext' : 'ciphertext';
          const response = await api.handle(postJson(path, { [field]: value }, token));
          const envelope = expectDocumentedOutcome(response);

          if (response.statusCode === 200 && path === '/encrypt') {
            const decrypted = await api.handle(
              postJson('/decrypt', { ciphertext: envelope.data['ciphertext'] }, token),
            );
            expect(JSON.parse(decrypted.body)).toMatchObject({ data: { plaintext: value } });
          }
          if (path === '/decrypt') {
            expect(response.statusCode).toBeGreaterThanOrEqual(400);
            expect(response.statusCode).toBeLessThan(500);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('logs every request error with a request id', () => {
    expect(api.logLines.length).toBeGreaterThan(0);
    expect(requestErrorsWithoutId(api.logLines)).toEqual([]);
  });

  it('logs no token, claim or plaintext', () => {
    expect(api.ledger.findLeaks(api.logLines)).toEqual([]);
  });
});
