import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KMS } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { KEY_SHARE_CIPHER, type KeyShareCipher } from '@split-kms/core';
import { createKey, openAdminSession } from '@split-kms/provider-pkcs11-hsm';
import { TestJwksServer } from '@split-kms/testing/jwks';
import { startMoto, type MotoServer } from '@split-kms/testing/moto';
import {
  createSoftHsmToken,
  removeSoftHsmDirectory,
  type SoftHsmToken,
} from '@split-kms/testing/softhsm';

import { buildServiceContainer } from '../src/composition/container';
import { API_HANDLER } from '../src/composition/tokens';
import type { Environment } from '../src/config/environment-reader';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';
import { startApiServer, type ApiServer } from '../src/server/api-server';
import { postOverHttp } from './support/service';

// A deployment moves from AWS KMS to an HSM: KEY_SHARE_CIPHER=pkcs11 with
// KEY_SHARE_CIPHER_DECRYPT_ONLY=aws-kms must still decrypt the KMS ciphertexts.
const WALLET = 'wallet-migration';

let token: SoftHsmToken;
let moto: MotoServer;
let jwks: TestJwksServer;
let keyArn: string;

interface RunningApi {
  readonly server: ApiServer;
  readonly cipher: KeyShareCipher;
}

const apis: RunningApi[] = [];

function environment(overrides: Environment): Environment {
  return {
    DKMS_KMS_KEY_ID: keyArn,
    AWS_REGION: moto.region,
    AWS_ENDPOINT_URL_KMS: moto.endpoint,
    KMS_MAX_ATTEMPTS: '1',
    PKCS11_LIBRARY: token.libraryPath,
    PKCS11_TOKEN_LABEL: token.label,
    PKCS11_PIN: token.userPin,
    PKCS11_KEY_LABEL: 'migrated-shares',
    PKCS11_POOL_SIZE: '2',
    JWKS_URL: jwks.url,
    ...overrides,
  };
}

async function startApi(overrides: Environment): Promise<RunningApi> {
  const container = await buildServiceContainer({
    mode: 'lambda',
    env: environment(overrides),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: DISABLED_METRICS,
  });
  const api = {
    cipher: container.resolve<KeyShareCipher>(KEY_SHARE_CIPHER),
    server: await startApiServer({
      handle: container.resolve(API_HANDLER),
      logger: new Logger({ logLevel: 'SILENT' }),
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 65_536,
    }),
  };
  apis.push(api);

  return api;
}

async function post(
  api: RunningApi,
  path: string,
  body: unknown,
  wallet = WALLET,
): Promise<{ status: number; envelope: Record<string, unknown> }> {
  const bearer = await jwks.mintToken({ claims: { ewi: wallet } });

  return postOverHttp(api.server.url, path, body, bearer);
}

async function encrypt(api: RunningApi, plaintext: string): Promise<string> {
  const { status, envelope } = await post(api, '/encrypt', { plaintext });
  expect(status).toBe(200);

  return (envelope['data'] as { ciphertext: string }).ciphertext;
}

beforeAll(async () => {
  // Tokens come first: creating one finalizes the PKCS#11 library in this process.
  token = createSoftHsmToken();
  const admin = openAdminSession({
    libraryPath: token.libraryPath,
    tokenLabel: token.label,
    pin: token.userPin,
    keyLabel: 'migrated-shares',
  });
  createKey(admin, 'migrated-shares');
  admin.close();

  moto = await startMoto();
  const kms = new KMS({ endpoint: moto.endpoint, region: moto.region });
  const { KeyMetadata } = await kms.createKey({ KeyUsage: 'ENCRYPT_DECRYPT' });
  keyArn = KeyMetadata!.Arn!;
  kms.destroy();
  jwks = await TestJwksServer.start();
}, 60_000);

afterAll(async () => {
  for (const api of apis) {
    await api.server.close();
    await api.cipher.close?.();
  }
  await jwks?.stop();
  await moto?.close();
  removeSoftHsmDirectory();
}, 30_000);

describe('move from AWS KMS to PKCS#11', () => {
  let kmsOnly: RunningApi;
  let migrated: RunningApi;
  const kmsCiphertexts: Record<'direct' | 'envelope', string> = { direct: '', envelope: '' };

  beforeAll(async () => {
    kmsOnly = await startApi({ KEY_SHARE_CIPHER: 'aws-kms' });
    kmsCiphertexts.direct = await encrypt(kmsOnly, 'share from KMS');
    const envelopeApi = await startApi({ KEY_SHARE_CIPHER: 'aws-kms', KMS_MODE: 'envelope' });
    kmsCiphertexts.envelope = await encrypt(envelopeApi, 'envelope share from KMS');

    migrated = await startApi({
      KEY_SHARE_CIPHER: 'pkcs11',
      KEY_SHARE_CIPHER_DECRYPT_ONLY: 'aws-kms',
    });
  }, 60_000);

  it('decrypts ciphertexts that AWS KMS made before', async () => {
    expect(await post(migrated, '/decrypt', { ciphertext: kmsCiphertexts.direct })).toEqual({
      status: 200,
      envelope: {
        data: { plaintext: 'share from KMS' },
        error_code: '',
        message: '',
        status: 'OK',
      },
    });
    expect(await post(migrated, '/decrypt', { ciphertext: kmsCiphertexts.envelope })).toMatchObject(
      {
        status: 200,
        envelope: { data: { plaintext: 'envelope share from KMS' } },
      },
    );
  });

  it('encrypts new shares in the HSM without calling KMS', async () => {
    moto.resetRequestCount();

    const ciphertext = await encrypt(migrated, 'share from the HSM');

    expect(moto.requestCount()).toBe(0);
    expect(Buffer.from(ciphertext, 'base64').subarray(0, 6)).toEqual(
      Buffer.from([0x53, 0x4b, 0x4d, 0x53, 1, 2]),
    );
    expect(await post(migrated, '/decrypt', { ciphertext })).toMatchObject({
      status: 200,
      envelope: { data: { plaintext: 'share from the HSM' } },
    });
  });

  it('keeps old ciphertexts bound to their wallet', async () => {
    expect(
      await post(migrated, '/decrypt', { ciphertext: kmsCiphertexts.direct }, 'wallet-other'),
    ).toMatchObject({ status: 400, envelope: { error_code: 'DECRYPTION_FAILED' } });
  });

  it('rejects HSM ciphertexts on a KMS-only service', async () => {
    const ciphertext = await encrypt(migrated, 'hsm only');

    expect(await post(kmsOnly, '/decrypt', { ciphertext })).toMatchObject({
      status: 400,
      envelope: { error_code: 'INVALID_CIPHERTEXT' },
    });
  });

  it('checks both providers in the deep health check', async () => {
    const response = await fetch(`${migrated.server.url}/healthz?deep=true`);
    const health = await migrated.cipher.checkHealth();

    expect(response.status).toBe(200);
    expect(health.components?.map((component) => [component.provider, component.healthy])).toEqual([
      ['pkcs11', true],
      ['aws-kms', true],
    ]);
  });
});
