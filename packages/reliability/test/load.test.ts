import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { postJson } from '../../api-lambda/test/support/service';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import {
  decryptShares,
  encryptShares,
  prepareShares,
  type LoadOutcome,
  type LoadShare,
} from './support/load-runner';
import { startProviderFixture, type ProviderFixture, type ProviderKind } from './support/providers';
import { requestErrorsWithoutId } from './support/secret-ledger';

/*
 * A bounded load run per provider against the local Node server on
 * 127.0.0.1: LOAD_REQUESTS encrypts, then as many decrypts, at 50 and at 200
 * connections, each request with its own wallet id, token and plaintext.
 * No request may fail, and every ciphertext must decrypt to its own
 * plaintext: no share is lost or mixed up. `npm run bench` runs the full
 * 10,000-request rounds and measures throughput and memory.
 */

const REQUESTS = Number(process.env['LOAD_REQUESTS'] ?? 2000);
const CONNECTIONS = [50, 200] as const;
const PROVIDERS: readonly ProviderKind[] = [
  'pkcs11',
  'pkcs11-in-process',
  'software',
  'aws-kms-direct',
];

function expectClean(outcome: LoadOutcome, requests: number): void {
  expect(outcome).toMatchObject({
    requests,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    mismatches: 0,
    failures: {},
  });
}

describe.each(PROVIDERS)('load: %s', (kind) => {
  let fixture: ProviderFixture;
  let api: ApiUnderTest;

  beforeAll(async () => {
    fixture = await startProviderFixture(kind);
    // The fault suites disable KMS retries to see each fault once. Under load, a slow response
    // from the single-threaded emulator is retried as in production.
    api = await startApiUnderTest({
      provider: fixture,
      serve: true,
      env: { KMS_MAX_ATTEMPTS: '3' },
    });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await fixture?.close();
  }, 30_000);

  it.each(CONNECTIONS)(
    'round-trips every share at %i connections',
    async (connections) => {
      const shares = await prepareShares(api.jwks.currentKey, REQUESTS, `${kind}-${connections}`);
      for (const share of shares) {
        api.ledger.add('token', share.token);
        api.ledger.add('plaintext', share.plaintext);
      }

      const encrypted = await encryptShares(api.server!.url, shares, connections);
      const decrypted = await decryptShares(api.server!.url, shares, connections);

      expectClean(encrypted, REQUESTS);
      expectClean(decrypted, REQUESTS);
      expect(new Set(shares.map((share) => share.ciphertext)).size).toBe(REQUESTS);
      api.ledger.addAll(
        'ciphertext',
        shares.map((share) => share.ciphertext!),
      );
      await expectBoundToWallet(api, shares.slice(0, 20));
    },
    180_000,
  );

  it('logs no token, plaintext or ciphertext under load', () => {
    expect(api.logLines.length).toBeGreaterThanOrEqual(REQUESTS * 4);
    expect(api.ledger.findLeaksByFragment(api.logLines)).toEqual([]);
    expect(requestErrorsWithoutId(api.logLines)).toEqual([]);
  });
});

/** Decrypts each share's ciphertext with the next share's token: another wallet must not read it. */
async function expectBoundToWallet(api: ApiUnderTest, shares: readonly LoadShare[]): Promise<void> {
  for (const [index, share] of shares.entries()) {
    const other = shares[(index + 1) % shares.length]!;
    const response = await api.handle(
      postJson('/decrypt', { ciphertext: share.ciphertext }, other.token),
    );

    expect(JSON.parse(response.body)).toMatchObject({ error_code: 'DECRYPTION_FAILED' });
  }
}
