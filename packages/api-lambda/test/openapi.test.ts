import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { HTTP_ERROR_CODES, type HttpErrorCode } from '../src/http/error-codes';
import { matchRoute, ROUTES } from '../src/http/routes';
import type { ApiRequest } from '../src/http/types';
import { envelopeOf, postJson, startTestService, type TestService } from './support/service';

/** The parts of docs/openapi.yaml this test reads. */
interface ResponseObject {
  readonly $ref?: string;
  readonly 'x-error-codes'?: readonly string[];
}
interface OperationObject {
  readonly responses: Readonly<Record<string, ResponseObject>>;
}
interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OperationObject>>>>;
  readonly components: {
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly schemas: { readonly ErrorCode: { readonly enum: readonly string[] } };
  };
  readonly 'x-unmatched-route': OperationObject;
  readonly 'x-preflight': unknown;
}

const document = parse(readFileSync(join(__dirname, '../../../docs/openapi.yaml'), 'utf8'), {
  merge: true,
}) as OpenApiDocument;

function resolve(response: ResponseObject): ResponseObject {
  const name = response.$ref?.replace('#/components/responses/', '');

  return name === undefined ? response : document.components.responses[name]!;
}

/** Documented `status -> codes` of an operation, or of unmatched routes when `operation` is undefined. */
function documentedCodes(operation: OperationObject | undefined): Map<string, Set<string>> {
  const responses = (operation ?? document['x-unmatched-route']).responses;

  return new Map(
    Object.entries(responses).map(([status, response]) => [
      status,
      new Set(resolve(response)['x-error-codes'] ?? []),
    ]),
  );
}

describe('docs/openapi.yaml', () => {
  it('lists every error code of the handler', () => {
    expect([...document.components.schemas.ErrorCode.enum].sort()).toEqual(
      Object.keys(HTTP_ERROR_CODES).sort(),
    );
  });

  it('documents every route', () => {
    for (const route of ROUTES) {
      const paths = route.path === '*' ? Object.keys(document.paths) : [route.path];

      for (const path of paths) {
        expect(
          `${route.method} ${path}: ${typeof document.paths[path]?.[route.method.toLowerCase()]}`,
        ).toBe(`${route.method} ${path}: object`);
      }
    }
    expect(document['x-preflight']).toBeDefined();
  });

  it('puts each code under its own status', () => {
    const operations = [
      ...Object.values(document.paths).flatMap((item) => Object.values(item)),
      document['x-unmatched-route'],
    ];

    for (const operation of operations) {
      for (const [status, codes] of documentedCodes(operation)) {
        for (const code of codes) {
          expect(`${code} ${HTTP_ERROR_CODES[code as HttpErrorCode]?.status}`).toBe(
            `${code} ${status}`,
          );
        }
      }
    }
  });

  it('mentions every code in some response', () => {
    const operations = [
      ...Object.values(document.paths).flatMap((item) => Object.values(item)),
      document['x-unmatched-route'],
    ];
    const mentioned = new Set(
      operations.flatMap((operation) =>
        [...documentedCodes(operation).values()].flatMap((codes) => [...codes]),
      ),
    );

    expect([...mentioned].sort()).toEqual(Object.keys(HTTP_ERROR_CODES).sort());
  });
});

describe('handler responses against docs/openapi.yaml', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ env: { MAX_BODY_BYTES: '2048' } });
  });

  afterAll(async () => {
    await service.close();
  });

  async function scenarios(): Promise<ApiRequest[]> {
    const token = await service.jwks.mintToken({ claims: { ewi: 'wallet-a' } });
    const other = await service.jwks.mintToken({ claims: { ewi: 'wallet-b' } });
    const encrypted = envelopeOf(
      await service.handle(postJson('/encrypt', { plaintext: 'share' }, token)),
    );
    const ciphertext = encrypted.data['ciphertext'] as string;

    return [
      { method: 'GET', path: '/healthz', headers: {} },
      { method: 'GET', path: '/healthz', headers: {}, query: { deep: 'true' } },
      { method: 'OPTIONS', path: '/encrypt', headers: {} },
      { method: 'GET', path: '/nowhere', headers: {} },
      { method: 'DELETE', path: '/encrypt', headers: {} },
      postJson('/encrypt', { plaintext: 'share' }, token),
      postJson('/encrypt', { plaintext: 'share' }),
      postJson('/encrypt', { plaintext: 7 }, token),
      postJson('/encrypt', { plaintext: 'x'.repeat(5000) }, token),
      { ...postJson('/encrypt', {}, token), body: '{"plaintext":"' + 'x'.repeat(1500) + '"}' },
      postJson('/decrypt', { ciphertext }, token),
      postJson('/decrypt', { ciphertext }, other),
      postJson('/decrypt', { ciphertext: 'not base64!' }, token),
      postJson('/decrypt', { ciphertext: 'AAAA' }, token),
      postJson('/decrypt', {}, token),
      postJson('/decrypt', { ciphertext }, 'garbage'),
    ];
  }

  it('answers only documented statuses and codes', async () => {
    for (const request of await scenarios()) {
      const response = await service.handle(request);
      const envelope = envelopeOf(response);
      const route = matchRoute(request.method, request.path);
      const operation =
        route === undefined
          ? undefined
          : document.paths[request.path]?.[route.method.toLowerCase()];
      const documented = documentedCodes(operation).get(String(response.statusCode));
      const label = `${request.method} ${request.path} -> ${response.statusCode} ${envelope.error_code}`;

      expect(`${label}: ${documented === undefined ? 'status not documented' : 'ok'}`).toBe(
        `${label}: ok`,
      );
      if (envelope.error_code !== '') {
        expect(
          `${label}: ${documented?.has(envelope.error_code) ? 'ok' : 'code not documented'}`,
        ).toBe(`${label}: ok`);
      }
    }
  });
});
