import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createCapturingLogger, type CapturingLogger } from './support/log-capture';
import {
  encryptThrough,
  envelopeOf,
  postJson,
  startTestService,
  type TestService,
} from './support/service';

const PLAINTEXT = 'SENTINEL-PLAINTEXT-7f3a9c';
const OTHER_CLAIM = 'SENTINEL-EMAIL-21bd@example.test';

let capture: CapturingLogger;
let service: TestService;

beforeAll(async () => {
  capture = createCapturingLogger('DEBUG');
  service = await startTestService({ logger: capture.logger });
});

afterAll(async () => {
  await service.close();
});

describe('logs', () => {
  it('never contain the token, plaintext, ciphertext or other claims', async () => {
    const token = await service.jwks.mintToken({
      claims: { ewi: 'wallet-logged', email: OTHER_CLAIM },
    });
    const otherToken = await service.jwks.mintToken({
      claims: { ewi: 'wallet-other', email: OTHER_CLAIM },
    });
    const ciphertext = await encryptThrough(service.handle, token, PLAINTEXT);
    const tampered = Buffer.from(ciphertext, 'base64');
    tampered[tampered.length - 1]! ^= 0xff;

    const requests = [
      postJson('/decrypt', { ciphertext }, token),
      postJson('/decrypt', { ciphertext }, otherToken),
      postJson('/decrypt', { ciphertext: tampered.toString('base64') }, token),
      postJson('/decrypt', { ciphertext: `${ciphertext}!` }, token),
      postJson('/encrypt', { plaintext: PLAINTEXT.repeat(300) }, token),
      { ...postJson('/encrypt', {}, token), body: `{"plaintext": "${PLAINTEXT}` },
      postJson('/encrypt', { plaintext: PLAINTEXT }, `${token}x`),
      {
        ...postJson('/encrypt', { plaintext: PLAINTEXT }),
        headers: { authorization: `Basic ${token}` },
      },
      { method: 'GET', path: '/unknown-route', headers: { authorization: `Bearer ${token}` } },
    ];
    const statuses = [];
    for (const request of requests) {
      statuses.push((await service.handle(request)).statusCode);
    }

    expect(statuses).toEqual([200, 400, 400, 400, 413, 400, 401, 401, 404]);
    expect(capture.lines.length).toBeGreaterThan(10);
    for (const secret of [
      token,
      otherToken,
      token.split('.')[2]!,
      PLAINTEXT,
      ciphertext,
      tampered.toString('base64'),
      OTHER_CLAIM,
    ]) {
      expect(capture.lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });

  it('write one audit line per operation with the ewi', async () => {
    const token = await service.jwks.mintToken({ claims: { ewi: 'wallet-audited' } });
    capture.lines.length = 0;

    const ciphertext = await encryptThrough(service.handle, token, 'audited share');
    const response = await service.handle(postJson('/decrypt', { ciphertext: 'AAAA' }, token));
    expect(envelopeOf(response).error_code).toBe('INVALID_CIPHERTEXT');
    expect(ciphertext).not.toBe('');

    const audits = capture.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry['audit'] === true);
    expect(audits).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'encrypt succeeded',
        operation: 'encrypt',
        outcome: 'success',
        provider: 'software',
        ewi: 'wallet-audited',
        requestId: expect.any(String),
        durationMs: expect.any(Number),
        service: 'split-kms-test',
      }),
      expect.objectContaining({
        level: 'WARN',
        message: 'decrypt failed',
        operation: 'decrypt',
        outcome: 'client_error',
        ewi: 'wallet-audited',
        errorCode: 'INVALID_CIPHERTEXT',
      }),
    ]);
  });

  it('carry the request id on every line of a request', async () => {
    capture.lines.length = 0;

    await service.handle({
      ...postJson('/encrypt', { plaintext: 'x' }),
      requestId: 'request-id-under-test',
    });

    const entries = capture.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry['requestId']).toBe('request-id-under-test');
    }
  });
});
