import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { KEY_SHARE_CIPHER, type KeyShareCipher, type KeyShareCipherRouter } from '@split-kms/core';
import {
  createKey,
  openAdminSession,
  type Pkcs11KeyShareCipher,
  type Pkcs11Settings,
} from '@split-kms/provider-pkcs11-hsm';
import { TestJwksServer } from '@split-kms/testing/jwks';
import {
  createSoftHsmToken,
  removeSoftHsmDirectory,
  type SoftHsmToken,
} from '@split-kms/testing/softhsm';

import { buildServiceContainer } from '../src/composition/container';
import { loadServiceConfiguration } from '../src/composition/service-configuration';
import { API_HANDLER } from '../src/composition/tokens';
import { ConfigurationError } from '../src/config/configuration-error';
import type { Environment } from '../src/config/environment-reader';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';
import { startApiServer, type ApiServer } from '../src/server/api-server';

const POOL_SIZE = 3;
const PARALLEL_REQUESTS = 200;

let token: SoftHsmToken;
/** A token without a login in this process, so a login there checks the PIN. */
let idleToken: SoftHsmToken;
let jwks: TestJwksServer;
let cipher: KeyShareCipher;
let server: ApiServer;
let bearer: string;

function pkcs11Environment(overrides: Environment = {}): Environment {
  return {
    KEY_SHARE_CIPHER: 'pkcs11',
    PKCS11_LIBRARY: token.libraryPath,
    PKCS11_TOKEN_LABEL: token.label,
    PKCS11_PIN: token.userPin,
    PKCS11_KEY_LABEL: 'api-shares',
    PKCS11_POOL_SIZE: String(POOL_SIZE),
    JWKS_URL: jwks.url,
    JWKS_TIMEOUT_MS: '500',
    ...overrides,
  };
}

beforeAll(async () => {
  token = createSoftHsmToken();
  idleToken = createSoftHsmToken();
  const admin = openAdminSession({
    libraryPath: token.libraryPath,
    tokenLabel: token.label,
    pin: token.userPin,
    keyLabel: 'api-shares',
  });
  createKey(admin, 'api-shares');
  admin.close();

  jwks = await TestJwksServer.start();
  const container = await buildServiceContainer({
    mode: 'lambda',
    env: pkcs11Environment(),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: DISABLED_METRICS,
  });
  cipher = container.resolve<KeyShareCipher>(KEY_SHARE_CIPHER);
  server = await startApiServer({
    handle: container.resolve(API_HANDLER),
    logger: new Logger({ logLevel: 'SILENT' }),
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 65_536,
  });
  bearer = await jwks.mintToken({ claims: { ewi: 'wallet-hsm' } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await cipher?.close?.();
  await jwks?.stop();
  removeSoftHsmDirectory();
});

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; envelope: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  return { status: response.status, envelope: (await response.json()) as Record<string, unknown> };
}

describe('API on the PKCS#11 provider (SoftHSM2)', () => {
  it('encrypts and decrypts over HTTP', async () => {
    const encrypted = await post('/encrypt', { plaintext: 'hsm share' });
    const ciphertext = (encrypted.envelope['data'] as { ciphertext: string }).ciphertext;

    expect(encrypted.status).toBe(200);
    expect(Buffer.from(ciphertext, 'base64').subarray(0, 6)).toEqual(
      Buffer.from([0x53, 0x4b, 0x4d, 0x53, 1, 2]),
    );
    expect(await post('/decrypt', { ciphertext })).toEqual({
      status: 200,
      envelope: { data: { plaintext: 'hsm share' }, error_code: '', message: '', status: 'OK' },
    });
  });

  it(`serves ${PARALLEL_REQUESTS} parallel requests with a pool of ${POOL_SIZE}`, async () => {
    const encrypted = await Promise.all(
      Array.from({ length: PARALLEL_REQUESTS }, async (_, index) =>
        post('/encrypt', { plaintext: `share-${index}` }),
      ),
    );
    expect(encrypted.map((result) => result.status)).toEqual(Array(PARALLEL_REQUESTS).fill(200));

    const decrypted = await Promise.all(
      encrypted.map(async (result) =>
        post('/decrypt', {
          ciphertext: (result.envelope['data'] as { ciphertext: string }).ciphertext,
        }),
      ),
    );
    expect(
      decrypted.map((result) => (result.envelope['data'] as { plaintext: string }).plaintext),
    ).toEqual(Array.from({ length: PARALLEL_REQUESTS }, (_, index) => `share-${index}`));
  }, 60_000);

  it('rejects a ciphertext for another wallet', async () => {
    const encrypted = await post('/encrypt', { plaintext: 'bound' });
    const otherWallet = await jwks.mintToken({ claims: { ewi: 'wallet-other' } });
    const response = await fetch(`${server.url}/decrypt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${otherWallet}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ciphertext: (encrypted.envelope['data'] as { ciphertext: string }).ciphertext,
      }),
    });

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(((await response.json()) as { error_code: string }).error_code).not.toBe('');
  });

  it('passes the deep health check', async () => {
    const response = await fetch(`${server.url}/healthz?deep=true`);

    expect(response.status).toBe(200);
  });
});

function settingsOf(router: KeyShareCipherRouter): Pkcs11Settings {
  return (router.providers[0] as Pkcs11KeyShareCipher).settings;
}

describe('PKCS#11 configuration', () => {
  function problemsOf(env: Environment): readonly string[] {
    try {
      loadServiceConfiguration(env, 'lambda');
    } catch (error) {
      if (error instanceof ConfigurationError) {
        return error.problems;
      }
      throw error;
    }

    return [];
  }

  it('lists every missing variable in one error', () => {
    const problems = problemsOf({
      KEY_SHARE_CIPHER: 'pkcs11',
      JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    });

    expect(problems.map((line) => line.split(':')[0])).toEqual([
      'PKCS11_LIBRARY',
      'PKCS11_PIN',
      'PKCS11_KEY_LABEL',
      'PKCS11_TOKEN_LABEL',
    ]);
  });

  it('rejects bad values without quoting the PIN', () => {
    const problems = problemsOf(
      pkcs11Environment({ PKCS11_SLOT: '0', PKCS11_POOL_SIZE: '0', PKCS11_IV_MODE: 'random' }),
    );

    expect(problems).toEqual([
      'PKCS11_SLOT: is set together with PKCS11_TOKEN_LABEL. Set only one of the two.',
      'PKCS11_POOL_SIZE: "0" is not a whole number from 1 to 256. Set it to a whole number (sessions, default 4).',
      'PKCS11_IV_MODE: "random" is not supported. Set it to one of: caller, hsm-generated, hsm-prepended.',
    ]);
    expect(problems.join('\n')).not.toContain(token.userPin);
  });

  it('rejects an unknown call mode, and sync with a CloudHSM IV mode', () => {
    expect(problemsOf(pkcs11Environment({ PKCS11_CALL_MODE: 'threads' }))).toEqual([
      'PKCS11_CALL_MODE: "threads" is not supported. Set it to one of: async, sync.',
    ]);
    expect(
      problemsOf(pkcs11Environment({ PKCS11_CALL_MODE: 'sync', PKCS11_IV_MODE: 'hsm-generated' })),
    ).toEqual([
      'PKCS11_CALL_MODE: "sync" would stall every request during each AWS CloudHSM network call (PKCS11_IV_MODE is "hsm-generated"). ' +
        'Leave PKCS11_CALL_MODE unset or set it to async; sync is for in-process libraries such as SoftHSM2.',
    ]);
  });

  it('rejects a session key copies value that is not a boolean', () => {
    expect(problemsOf(pkcs11Environment({ PKCS11_SESSION_KEY_COPIES: 'yes' }))).toEqual([
      'PKCS11_SESSION_KEY_COPIES: "yes" is not a boolean. Set it to true or false (default false).',
    ]);
  });

  it('passes the call mode and session key copies to the provider', async () => {
    const container = await buildServiceContainer({
      mode: 'lambda',
      env: pkcs11Environment({ PKCS11_CALL_MODE: 'sync', PKCS11_SESSION_KEY_COPIES: 'true' }),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: DISABLED_METRICS,
    });
    const synchronous = container.resolve<KeyShareCipherRouter>(KEY_SHARE_CIPHER);
    try {
      const context = { ewi: 'wallet-sync' };
      const ciphertext = await synchronous.encrypt(Buffer.from('sync share'), context);

      expect(settingsOf(synchronous)).toMatchObject({ callMode: 'sync', sessionKeyCopies: true });
      expect(settingsOf(cipher as KeyShareCipherRouter)).toMatchObject({
        callMode: 'async',
        sessionKeyCopies: false,
      });
      expect(Buffer.from(await cipher.decrypt(ciphertext, context)).toString()).toBe('sync share');
    } finally {
      await synchronous.close();
    }
  });

  it('keeps the PIN out of the parsed configuration when it is logged', () => {
    const configuration = loadServiceConfiguration(pkcs11Environment(), 'lambda');

    expect(JSON.stringify(configuration.primary.config)).not.toContain(token.userPin);
    expect((configuration.primary.config as { pinSource: unknown }).pinSource).toEqual({
      kind: 'value',
      pin: token.userPin,
    });
  });

  it('reports a wrong PIN at start-up', async () => {
    // PKCS#11 keeps one login per token and process, so this uses a token without one.
    await expect(
      buildServiceContainer({
        mode: 'lambda',
        env: pkcs11Environment({ PKCS11_TOKEN_LABEL: idleToken.label, PKCS11_PIN: 'not-the-pin' }),
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics: DISABLED_METRICS,
      }),
    ).rejects.toThrow('HSM login failed: the PIN is incorrect. Check PKCS11_PIN.');
  });
});
