import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as pkcs11js from 'pkcs11js';

import { isKeyShareCipherError } from '@split-kms/core';
import { finalizeLibrary } from '@split-kms/testing/softhsm';

import { CALL_MODES, type Pkcs11KeyShareCipher } from '../src';
import { connect, createTokenWithKey } from './token-fixture';

const fixture = createTokenWithKey('recovery');
const POOL_SIZE = 4;

/** Another handle on the same library in this process, as an operator's tool would have. */
function outsideHandle(): { module: pkcs11js.PKCS11; slot: Buffer } {
  const module = new pkcs11js.PKCS11();
  module.load(fixture.token.libraryPath);
  const slot = module
    .C_GetSlotList(true)
    .find((handle) => module.C_GetTokenInfo(handle).label.trim() === fixture.token.label)!;

  return { module, slot };
}

async function roundTrip(cipher: Pkcs11KeyShareCipher, index: number): Promise<string> {
  const context = { ewi: `wallet-${index}` };
  const ciphertext = await cipher.encrypt(Buffer.from(`share-${index}`), context);

  return Buffer.from(await cipher.decrypt(ciphertext, context)).toString();
}

describe.each(CALL_MODES)('Pkcs11KeyShareCipher sessions, callMode %s', (callMode) => {
  let cipher: Pkcs11KeyShareCipher;

  beforeAll(async () => {
    cipher = await connect(fixture, { poolSize: POOL_SIZE, callMode });
  });

  afterAll(async () => {
    await cipher.close();
  });

  it('runs 200 parallel round trips on a pool of 4', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, index) => roundTrip(cipher, index)),
    );

    expect(results).toEqual(Array.from({ length: 200 }, (_, index) => `share-${index}`));
    expect(cipher.openSessionCount).toBeLessThanOrEqual(POOL_SIZE);
  });

  it('recovers when all sessions are closed from outside mid-run', async () => {
    const { module, slot } = outsideHandle();

    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, async (_, index) => {
        if (index === 60) {
          module.C_CloseAllSessions(slot);
        }

        return roundTrip(cipher, index);
      }),
    );

    const failures = outcomes.filter(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    const codes = new Set(
      failures.map((failure) =>
        isKeyShareCipherError(failure.reason) ? failure.reason.code : 'untyped',
      ),
    );
    expect(failures.length).toBeGreaterThan(0);
    // Only operations that held one of the pool's sessions fail; waiting requests reconnect.
    expect(failures.length).toBeLessThanOrEqual(POOL_SIZE);
    expect([...codes]).toEqual(['PROVIDER_UNAVAILABLE']);

    expect(await roundTrip(cipher, 1000)).toBe('share-1000');
    const later = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => roundTrip(cipher, index)),
    );
    expect(later).toHaveLength(50);
    expect((await cipher.checkHealth()).healthy).toBe(true);
  });

  it('recovers after a logout from another session', async () => {
    const { module, slot } = outsideHandle();
    await roundTrip(cipher, 1);

    const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    module.C_Logout(session);
    module.C_CloseSession(session);

    const first = await roundTrip(cipher, 2).catch((error: unknown) => error);
    expect(isKeyShareCipherError(first)).toBe(true);
    expect((first as { code?: unknown }).code).toBe('PROVIDER_UNAVAILABLE');

    expect(await roundTrip(cipher, 3)).toBe('share-3');
  });

  it('recovers after the library is finalized and initialized again', async () => {
    await roundTrip(cipher, 1);
    finalizeLibrary();

    const first = await roundTrip(cipher, 2).catch((error: unknown) => error);
    expect(isKeyShareCipherError(first)).toBe(true);
    expect((first as { code?: unknown }).code).toBe('PROVIDER_UNAVAILABLE');

    expect(await roundTrip(cipher, 3)).toBe('share-3');
  });

  it('reports an unhealthy token and then recovers', async () => {
    const { module, slot } = outsideHandle();
    module.C_CloseAllSessions(slot);

    const health = await cipher.checkHealth();
    expect(health.healthy).toBe(false);
    expect(health.detail).toMatch(
      /Connecting to the HSM token failed with CKR_SESSION_HANDLE_INVALID/u,
    );

    expect((await cipher.checkHealth()).healthy).toBe(true);
  });
});

describe('Pkcs11KeyShareCipher close', () => {
  it('closes cleanly after the library was finalized', async () => {
    const cipher = await connect(fixture, { poolSize: 2 });
    await roundTrip(cipher, 1);

    finalizeLibrary();

    await expect(cipher.close()).resolves.toBeUndefined();
  });
});
