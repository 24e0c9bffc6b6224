import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpErrorCode } from '@split-kms/api-lambda';
import type { MotoServer } from '@split-kms/testing/moto';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { decrypt, encryptOk, expectFault, health } from './support/fault-checks';
import { FaultProxy } from './support/fault-proxy';
import { startProviderFixture, type ProviderFixture } from './support/providers';
import { requestErrorsWithoutId, sentinelPlaintext } from './support/secret-ledger';
import { postJson } from '../../api-lambda/test/support/service';

/*
 * Faults of the AWS KMS emulator (moto behind a loopback fault proxy): moto
 * suspended, slower than KMS_REQUEST_TIMEOUT_MS, dropped connections, a load
 * balancer's 502, and AWS errors moto cannot produce by itself. The API has
 * AWS KMS as primary provider and the software provider as decrypt-only.
 * During a KMS fault, software ciphertexts must keep decrypting and /healthz
 * must respond. The same service recovers without a restart.
 */

const WALLET = 'wallet-kms-fault';
const REQUEST_TIMEOUT_MS = 1500;

interface KmsFault {
  readonly name: string;
  /** Code of encrypt and decrypt requests during the fault. */
  readonly code: HttpErrorCode;
  readonly apply: () => Promise<void>;
}

let kms: ProviderFixture;
let moto: MotoServer;
let software: ProviderFixture;
let proxy: FaultProxy;
let softwareApi: ApiUnderTest;
let api: ApiUnderTest;
let token: string;
/** Whether `moto.stop()` ran without a `restart()` yet; a second restart would fail. */
let motoSuspended = false;

async function suspendMoto(): Promise<void> {
  motoSuspended = true;
  await moto.stop();
}

const FAULTS: readonly KmsFault[] = [
  { name: 'moto suspended', code: 'KEY_SERVICE_UNAVAILABLE', apply: suspendMoto },
  { name: 'port closed', code: 'KEY_SERVICE_UNAVAILABLE', apply: async () => proxy.stop() },
  {
    name: 'slower than the request timeout',
    code: 'KEY_SERVICE_UNAVAILABLE',
    apply: async () => {
      proxy.fault = { kind: 'delay', ms: REQUEST_TIMEOUT_MS * 3 };
    },
  },
  {
    name: 'connection dropped',
    code: 'KEY_SERVICE_UNAVAILABLE',
    apply: async () => {
      proxy.fault = { kind: 'reset' };
    },
  },
  {
    name: '502 from a load balancer',
    code: 'KEY_SERVICE_UNAVAILABLE',
    apply: async () => {
      proxy.fault = { kind: 'status', statusCode: 502 };
    },
  },
  {
    name: 'KMSInternalException',
    code: 'KEY_SERVICE_UNAVAILABLE',
    apply: async () => moto.injectFault({ type: 'KMSInternalException', status: 500 }, 2),
  },
  {
    name: 'ThrottlingException',
    code: 'KEY_SERVICE_THROTTLED',
    apply: async () => moto.injectFault({ type: 'ThrottlingException' }, 2),
  },
  {
    name: 'DisabledException',
    code: 'KEY_UNAVAILABLE',
    apply: async () => moto.injectFault({ type: 'DisabledException' }, 2),
  },
  {
    name: 'AccessDeniedException of the key policy',
    code: 'KEY_ACCESS_DENIED',
    apply: async () =>
      moto.injectFault(
        {
          type: 'AccessDeniedException',
          message:
            'User: arn:aws:iam::111122223333:role/api is not authorized to perform: kms:Encrypt',
        },
        2,
      ),
  },
];

async function heal(): Promise<void> {
  proxy.fault = { kind: 'none' };
  await proxy.restart();
  if (motoSuspended) {
    motoSuspended = false;
    await moto.restart();
  }
}

beforeAll(async () => {
  kms = await startProviderFixture('aws-kms-direct');
  moto = kms.moto!;
  software = await startProviderFixture('software');
  proxy = await FaultProxy.start(moto.endpoint);
  softwareApi = await startApiUnderTest({ provider: software });
  api = await startApiUnderTest({
    provider: kms,
    jwks: softwareApi.jwks,
    env: {
      AWS_ENDPOINT_URL_KMS: proxy.url,
      KMS_CONNECT_TIMEOUT_MS: '500',
      KMS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      KEY_SHARE_CIPHER_DECRYPT_ONLY: 'software',
      SOFTWARE_KEY_FILE: software.env['SOFTWARE_KEY_FILE']!,
    },
  });
  token = await api.mintToken(WALLET);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await softwareApi?.close();
  await proxy?.stop();
  await software?.close();
  await kms?.close();
}, 30_000);

describe.each(FAULTS.map((fault) => [fault.name, fault] as const))(
  'KMS fault: %s',
  (_name, fault) => {
    it('answers the documented code, keeps other routes, then recovers', async () => {
      const plaintext = sentinelPlaintext('kms');
      const softwarePlaintext = sentinelPlaintext('software');
      api.ledger.addAll('plaintext', [plaintext, softwarePlaintext]);
      const kmsCiphertext = await encryptOk(api.handle, token, plaintext);
      const softwareCiphertext = await encryptOk(softwareApi.handle, token, softwarePlaintext);
      api.ledger.addAll('ciphertext', [kmsCiphertext, softwareCiphertext]);
      await fault.apply();

      const started = Date.now();
      const encryptDuring = await api.handle(postJson('/encrypt', { plaintext }, token));
      const decryptDuring = await decrypt(api.handle, token, kmsCiphertext);
      const elapsedMs = Date.now() - started;
      const softwareDuring = await decrypt(api.handle, token, softwareCiphertext);
      const healthDuring = await health(api.handle);
      await heal();
      const decryptAfter = await decrypt(api.handle, token, kmsCiphertext);
      const encryptAfter = await encryptOk(api.handle, token, plaintext);

      expectFault(encryptDuring, fault.code);
      expectFault(decryptDuring, fault.code);
      expect(elapsedMs).toBeLessThan(REQUEST_TIMEOUT_MS * 4);
      expect(JSON.parse(softwareDuring.body)).toMatchObject({
        data: { plaintext: softwarePlaintext },
      });
      expect(healthDuring.statusCode).toBe(200);
      expect(JSON.parse(decryptAfter.body)).toMatchObject({ data: { plaintext } });
      expect(encryptAfter.length).toBeGreaterThan(0);
      expect(moto.pendingFaults()).toBe(0);
    }, 30_000);
  },
);

describe('KMS fault: deep health check', () => {
  it('fails the deep check while moto is suspended, then passes', async () => {
    await suspendMoto();
    const during = await health(api.handle, true);
    await heal();
    const after = await health(api.handle, true);

    expectFault(during, 'KEY_SERVICE_UNAVAILABLE');
    expect(after.statusCode).toBe(200);
  }, 30_000);

  it('sends Retry-After when throttled', async () => {
    moto.injectFault({ type: 'ThrottlingException' }, 1);
    const response = await api.handle(
      postJson('/encrypt', { plaintext: 'share-throttled' }, token),
    );

    expectFault(response, 'KEY_SERVICE_THROTTLED');
    expect(
      Number(response.headers['retry-after'] ?? response.headers['Retry-After']),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('KMS fault: logs', () => {
  it('logs no token, claim, plaintext or ciphertext', () => {
    expect(api.ledger.findLeaks(api.logLines)).toEqual([]);
  });

  it('logs every failed request with a request id', () => {
    expect(
      api.logLines.some(
        (line) => line.includes('"level":"ERROR"') || line.includes('"level":"WARN"'),
      ),
    ).toBe(true);
    expect(requestErrorsWithoutId(api.logLines)).toEqual([]);
  });
});
