import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestJwksServer, type JwksServerBehaviour } from '@split-kms/testing/jwks';

import { postJson } from '../../api-lambda/test/support/service';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { encryptOk, expectFault, health } from './support/fault-checks';
import { FaultProxy, type ProxyFault } from './support/fault-proxy';
import { startProviderFixture, type ProviderFixture } from './support/providers';
import { requestErrorsWithoutId, sentinelPlaintext } from './support/secret-ledger';

/*
 * Faults of the JWKS server: stopped, slower than JWKS_TIMEOUT_MS, error
 * statuses, garbage, no keys, dropped connections. During the fault a token
 * that needs the JWKS gets 503 JWKS_UNAVAILABLE (never 401 or 500), the
 * health check still responds, and the same service recovers when the server
 * does, without a restart.
 */

const WALLET = 'wallet-jwks-fault';
const TIMEOUT_MS = 500;

interface JwksFault {
  readonly name: string;
  readonly apply: (jwks: TestJwksServer, proxy: FaultProxy) => Promise<void>;
}

function behaviour(value: JwksServerBehaviour): JwksFault['apply'] {
  return async (jwks) => {
    jwks.behaviour = value;
  };
}

function proxyFault(value: ProxyFault): JwksFault['apply'] {
  return async (_jwks, proxy) => {
    proxy.fault = value;
  };
}

const FAULTS: readonly JwksFault[] = [
  { name: 'server stopped', apply: async (_jwks, proxy) => proxy.stop() },
  { name: 'slower than the timeout', apply: proxyFault({ kind: 'delay', ms: TIMEOUT_MS * 4 }) },
  { name: 'connection dropped', apply: proxyFault({ kind: 'reset' }) },
  { name: 'status 500', apply: behaviour({ kind: 'status', statusCode: 500 }) },
  {
    name: 'status 503 from a load balancer',
    apply: proxyFault({ kind: 'status', statusCode: 503 }),
  },
  { name: 'status 404', apply: behaviour({ kind: 'status', statusCode: 404 }) },
  { name: 'garbage instead of JSON', apply: behaviour({ kind: 'garbage' }) },
  { name: 'an empty key list', apply: behaviour({ kind: 'no-keys' }) },
];

let fixture: ProviderFixture;
let jwks: TestJwksServer;
let proxy: FaultProxy;
const apis: ApiUnderTest[] = [];

async function startApi(env: Record<string, string> = {}): Promise<ApiUnderTest> {
  const api = await startApiUnderTest({
    provider: fixture,
    jwks,
    env: { JWKS_URL: `${proxy.url}/jwks.json`, JWKS_TIMEOUT_MS: String(TIMEOUT_MS), ...env },
  });
  apis.push(api);

  return api;
}

async function heal(): Promise<void> {
  jwks.heal();
  proxy.fault = { kind: 'none' };
  await proxy.restart();
}

beforeAll(async () => {
  fixture = await startProviderFixture('software');
  jwks = await TestJwksServer.start();
  proxy = await FaultProxy.start(jwks.url.replace('/jwks.json', ''));
});

afterAll(async () => {
  for (const api of apis) {
    await api.close();
  }
  await proxy.stop();
  await jwks.stop();
  await fixture.close();
});

describe.each(FAULTS.map((fault) => [fault.name, fault] as const))(
  'JWKS fault: %s',
  (_name, fault) => {
    it('answers 503 JWKS_UNAVAILABLE, then recovers', async () => {
      const api = await startApi();
      const token = await api.mintToken(WALLET);
      await fault.apply(jwks, proxy);

      const started = Date.now();
      const during = await api.handle(
        postJson('/encrypt', { plaintext: sentinelPlaintext('jwks') }, token),
      );
      const elapsedMs = Date.now() - started;
      const healthDuring = await health(api.handle);
      await heal();
      const after = await encryptOk(api.handle, token, sentinelPlaintext('jwks-after'));

      expectFault(during, 'JWKS_UNAVAILABLE');
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS * 3);
      expect(healthDuring.statusCode).toBe(200);
      expect(after.length).toBeGreaterThan(0);
      expect(api.ledger.findLeaks(api.logLines)).toEqual([]);
      expect(requestErrorsWithoutId(api.logLines)).toEqual([]);
    });
  },
);

describe('JWKS fault with cached keys', () => {
  it('keeps serving from the cache while the server is down', async () => {
    const api = await startApi();
    const token = await api.mintToken(WALLET);
    await encryptOk(api.handle, token, sentinelPlaintext('cache'));

    await proxy.stop();
    const during = await encryptOk(api.handle, token, sentinelPlaintext('cache-during'));
    await heal();

    expect(during.length).toBeGreaterThan(0);
  });

  it('answers 503 once the cache expired during the fault, then recovers', async () => {
    const api = await startApi({ JWKS_CACHE_MAX_AGE_SECONDS: '1' });
    const token = await api.mintToken(WALLET);
    await encryptOk(api.handle, token, sentinelPlaintext('expiry'));

    await proxy.stop();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const during = await api.handle(postJson('/encrypt', { plaintext: 'share-x' }, token));
    await heal();

    expectFault(during, 'JWKS_UNAVAILABLE');
    await encryptOk(api.handle, token, sentinelPlaintext('expiry-after'));
  });

  it('rejects a removed key once the cache expires', async () => {
    const api = await startApi({ JWKS_CACHE_MAX_AGE_SECONDS: '1' });
    const token = await api.mintToken(WALLET);
    await encryptOk(api.handle, token, sentinelPlaintext('removed'));

    await jwks.rotateKeys();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await api.handle(postJson('/encrypt', { plaintext: 'share-y' }, token));

    expectFault(after, 'ACCESS_DENIED');
  });
});
