import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiResponse } from '@split-kms/api-lambda';
import { finalizeLibrary, softHsmDirectory } from '@split-kms/testing/softhsm';
import * as pkcs11js from 'pkcs11js';

import { startApiUnderTest, type ApiUnderTest } from './api-under-test';
import { decrypt, encryptOk, expectFault, health } from './fault-checks';
import { startProviderFixture, type ProviderFixture, type ProviderKind } from './providers';
import { requestErrorsWithoutId, sentinelPlaintext } from './secret-ledger';
import { postJson } from '../../../api-lambda/test/support/service';

/*
 * Faults of SoftHSM2 under the PKCS#11 provider. The token disappears, as
 * when an HSM is unplugged: its directory is moved away and the library
 * finalized. Someone else finalizes the library, closes all sessions, or logs
 * out from another session. SoftHSM2 runs inside this process, so there is
 * no network to slow down, and the moto suite covers remote faults.
 */

const WALLET = 'wallet-hsm-fault';

let hsm: ProviderFixture;
let software: ProviderFixture;
let softwareApi: ApiUnderTest;
let api: ApiUnderTest;
let token: string;

/** Runs an action on a second handle on the library, as an operator's tool in the same process would. */
function outsideSession(action: (module: pkcs11js.PKCS11, slot: Buffer) => void): void {
  const module = new pkcs11js.PKCS11();
  module.load(hsm.token!.libraryPath);
  try {
    module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      throw error;
    }
  }
  const slot = module
    .C_GetSlotList(true)
    .find((handle) => module.C_GetTokenInfo(handle).label.trim() === hsm.token!.label)!;
  action(module, slot);
}

function tokenDirectory(): string {
  return join(softHsmDirectory(), 'tokens');
}

function removeToken(): void {
  renameSync(tokenDirectory(), `${tokenDirectory()}-away`);
  mkdirSync(tokenDirectory(), { mode: 0o700 });
  finalizeLibrary();
}

/**
 * Puts the token back. SoftHSM2 lists tokens only at `C_Initialize`, so the
 * library is finalized again and the provider reconnects from `C_Initialize`.
 * NOTE: the provider never finalizes the library itself, so with SoftHSM2 a
 * returning token is found only after someone finalizes it.
 */
function restoreToken(): void {
  rmSync(tokenDirectory(), { recursive: true, force: true });
  renameSync(`${tokenDirectory()}-away`, tokenDirectory());
  finalizeLibrary();
}

/** Sends a request up to three times while it fails with 503, and returns the responses. */
async function retryUnavailable(send: () => Promise<ApiResponse>): Promise<ApiResponse[]> {
  const responses = [await send()];
  while (responses.at(-1)!.statusCode === 503 && responses.length < 3) {
    responses.push(await send());
  }

  return responses;
}

/**
 * Registers the SoftHSM2 fault suite for one PKCS#11 set-up, in the calling
 * test file. Each file creates its own token, which finalizes the library
 * first, so two set-ups never share library state even in one jest worker.
 */
export function describeHsmFaults(
  kind: Extract<ProviderKind, 'pkcs11' | 'pkcs11-in-process'>,
): void {
  beforeAll(async () => {
    hsm = await startProviderFixture(kind);
    software = await startProviderFixture('software');
    softwareApi = await startApiUnderTest({ provider: software });
    api = await startApiUnderTest({
      provider: hsm,
      jwks: softwareApi.jwks,
      env: {
        KEY_SHARE_CIPHER_DECRYPT_ONLY: 'software',
        SOFTWARE_KEY_FILE: software.env['SOFTWARE_KEY_FILE']!,
      },
    });
    token = await api.mintToken(WALLET);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await softwareApi?.close();
    await software?.close();
    await hsm?.close();
  });

  async function encryptResponse(): Promise<ApiResponse> {
    const plaintext = sentinelPlaintext('hsm');
    api.ledger.add('plaintext', plaintext);

    return api.handle(postJson('/encrypt', { plaintext }, token));
  }

  describe('HSM fault: token removed', () => {
    it('answers 503 and keeps other routes while the token is gone, then recovers', async () => {
      const plaintext = sentinelPlaintext('hsm-before');
      const softwarePlaintext = sentinelPlaintext('software');
      api.ledger.addAll('plaintext', [plaintext, softwarePlaintext]);
      const hsmCiphertext = await encryptOk(api.handle, token, plaintext);
      const softwareCiphertext = await encryptOk(softwareApi.handle, token, softwarePlaintext);
      api.ledger.addAll('ciphertext', [hsmCiphertext, softwareCiphertext]);

      removeToken();
      let during: ApiResponse[];
      let softwareDuring: ApiResponse;
      let healthDuring: ApiResponse;
      let deepDuring: ApiResponse;
      try {
        during = [
          await encryptResponse(),
          await decrypt(api.handle, token, hsmCiphertext),
          await encryptResponse(),
        ];
        softwareDuring = await decrypt(api.handle, token, softwareCiphertext);
        healthDuring = await health(api.handle);
        deepDuring = await health(api.handle, true);
      } finally {
        restoreToken();
      }
      const after = await retryUnavailable(async () => decrypt(api.handle, token, hsmCiphertext));

      for (const response of during) {
        expectFault(response, 'KEY_SERVICE_UNAVAILABLE');
      }
      expect(JSON.parse(softwareDuring.body)).toMatchObject({
        data: { plaintext: softwarePlaintext },
      });
      expect(healthDuring.statusCode).toBe(200);
      expectFault(deepDuring, 'KEY_SERVICE_UNAVAILABLE');
      expect(after.length).toBeLessThanOrEqual(2);
      expect(JSON.parse(after.at(-1)!.body)).toMatchObject({ data: { plaintext } });
      expect((await health(api.handle, true)).statusCode).toBe(200);
    });
  });

  describe.each([
    ['library finalized by another user', () => finalizeLibrary()],
    [
      'all sessions closed from outside',
      () => outsideSession((module, slot) => module.C_CloseAllSessions(slot)),
    ],
    [
      'logout from another session',
      () =>
        outsideSession((module, slot) => {
          const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
          module.C_Logout(session);
          module.C_CloseSession(session);
        }),
    ],
  ] as const)('HSM fault: %s', (_name, inject) => {
    it('fails at most the first requests with 503, then recovers', async () => {
      const plaintext = sentinelPlaintext('hsm-session');
      api.ledger.add('plaintext', plaintext);
      const ciphertext = await encryptOk(api.handle, token, plaintext);

      inject();
      const responses = [];
      for (let index = 0; index < 10; index += 1) {
        responses.push(await decrypt(api.handle, token, ciphertext));
      }
      const failed = responses.filter((response) => response.statusCode !== 200);

      for (const response of failed) {
        expectFault(response, 'KEY_SERVICE_UNAVAILABLE');
      }
      expect(failed.length).toBeLessThanOrEqual(1);
      expect(JSON.parse(responses.at(-1)!.body)).toMatchObject({ data: { plaintext } });
    });
  });

  describe('HSM fault: logs', () => {
    it('logs no token, claim, plaintext, ciphertext or PIN', () => {
      expect(api.ledger.findLeaks(api.logLines)).toEqual([]);
    });

    it('logs every failed request with a request id', () => {
      expect(api.logLines.some((line) => line.includes('"level":"ERROR"'))).toBe(true);
      expect(requestErrorsWithoutId(api.logLines)).toEqual([]);
    });
  });
}
