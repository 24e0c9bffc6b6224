import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { envelopeOf, postJson, startTestService, type TestService } from './support/service';

let service: TestService;
let token: string;

beforeAll(async () => {
  service = await startTestService();
  token = await service.jwks.mintToken({ claims: { ewi: 'wallet-properties' } });
});

afterAll(async () => {
  await service.close();
});

describe('handler properties', () => {
  it('decrypts every well-formed string it encrypted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
        async (plaintext) => {
          const encrypted = await service.handle(postJson('/encrypt', { plaintext }, token));
          const ciphertext = envelopeOf(encrypted).data['ciphertext'];
          const decrypted = await service.handle(postJson('/decrypt', { ciphertext }, token));

          expect(envelopeOf(decrypted).data['plaintext']).toBe(plaintext);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers any body with a 4xx envelope, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/encrypt', '/decrypt'),
        fc.oneof(fc.string({ maxLength: 300 }), fc.json()),
        async (path, body) => {
          const response = await service.handle({
            method: 'POST',
            path,
            headers: { authorization: `Bearer ${token}` },
            body,
          });
          const envelope = envelopeOf(response);

          expect(
            response.statusCode === 200 ||
              (response.statusCode >= 400 && response.statusCode < 500),
          ).toBe(true);
          expect(envelope.status === 'OK').toBe(response.statusCode === 200);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers any ciphertext string with a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
        ),
        async (ciphertext) => {
          const response = await service.handle(postJson('/decrypt', { ciphertext }, token));

          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers any path and method without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get', 'X'),
        fc.string({ maxLength: 300 }).map((path) => `/${path}`),
        async (method, path) => {
          const response = await service.handle({ method, path, headers: {} });

          expect(response.statusCode).toBeLessThan(500);
          expect(response.headers['Access-Control-Allow-Origin']).toBe('https://auth.magic.link');
        },
      ),
      { numRuns: 300 },
    );
  });
});
