import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KMS } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { KEY_SHARE_CIPHER, type KeyShareCipher } from '@split-kms/core';
import { TestJwksServer } from '@split-kms/testing/jwks';
import { runAwsCli, startMoto, type MotoServer } from '@split-kms/testing/moto';

import { buildServiceContainer } from '../src/composition/container';
import { loadServiceConfiguration } from '../src/composition/service-configuration';
import { API_HANDLER } from '../src/composition/tokens';
import { ConfigurationError } from '../src/config/configuration-error';
import type { Environment } from '../src/config/environment-reader';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';
import { startApiServer, type ApiServer } from '../src/server/api-server';
import { postOverHttp } from './support/service';

const WALLET = 'wallet-kms-api';

let moto: MotoServer;
let admin: KMS;
let jwks: TestJwksServer;
let keyArn: string;
let oldKeyArn: string;
let workDir: string;

interface RunningApi {
  readonly server: ApiServer;
  readonly cipher: KeyShareCipher;
}

const apis: RunningApi[] = [];

function kmsEnvironment(overrides: Environment = {}): Environment {
  return {
    KEY_SHARE_CIPHER: 'aws-kms',
    DKMS_KMS_KEY_ID: keyArn,
    AWS_REGION: moto.region,
    AWS_ENDPOINT_URL_KMS: moto.endpoint,
    KMS_MAX_ATTEMPTS: '1',
    JWKS_URL: jwks.url,
    ...overrides,
  };
}

async function startApi(overrides: Environment = {}): Promise<RunningApi> {
  const container = await buildServiceContainer({
    mode: 'lambda',
    env: kmsEnvironment(overrides),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: DISABLED_METRICS,
  });
  const cipher = container.resolve<KeyShareCipher>(KEY_SHARE_CIPHER);
  const server = await startApiServer({
    handle: container.resolve(API_HANDLER),
    logger: new Logger({ logLevel: 'SILENT' }),
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 65_536,
  });
  const api = { server, cipher };
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

async function encryptOverHttp(api: RunningApi, plaintext: string): Promise<string> {
  const { status, envelope } = await post(api, '/encrypt', { plaintext });
  expect(status).toBe(200);

  return (envelope['data'] as { ciphertext: string }).ciphertext;
}

async function decryptOverHttp(
  api: RunningApi,
  ciphertext: string,
  wallet = WALLET,
): Promise<unknown> {
  return post(api, '/decrypt', { ciphertext }, wallet);
}

async function createKey(): Promise<string> {
  const { KeyMetadata } = await admin.createKey({
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
  });

  return KeyMetadata!.Arn!;
}

beforeAll(async () => {
  moto = await startMoto();
  admin = new KMS({ endpoint: moto.endpoint, region: moto.region });
  keyArn = await createKey();
  oldKeyArn = await createKey();
  jwks = await TestJwksServer.start();
  workDir = mkdtempSync(join(tmpdir(), 'split-kms-api-kms-'));
}, 60_000);

afterAll(async () => {
  for (const api of apis) {
    await api.server.close();
    await api.cipher.close?.();
  }
  admin?.destroy();
  await jwks?.stop();
  await moto?.close();
  rmSync(workDir, { recursive: true, force: true });
}, 30_000);

describe.each(['direct', 'envelope'] as const)('API on AWS KMS in %s mode', (mode) => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ KMS_MODE: mode });
  });

  it('encrypts and decrypts over HTTP', async () => {
    const ciphertext = await encryptOverHttp(api, 'kms share');

    expect(await decryptOverHttp(api, ciphertext)).toEqual({
      status: 200,
      envelope: { data: { plaintext: 'kms share' }, error_code: '', message: '', status: 'OK' },
    });
  });

  it('rejects a ciphertext for another wallet', async () => {
    const ciphertext = await encryptOverHttp(api, 'bound share');

    expect(await decryptOverHttp(api, ciphertext, 'wallet-other')).toMatchObject({
      status: 400,
      envelope: { error_code: 'DECRYPTION_FAILED', status: 'BAD_REQUEST' },
    });
  });

  it('decrypts a blob made by aws kms encrypt', async () => {
    const plaintextFile = join(workDir, `${mode}-share.txt`);
    writeFileSync(plaintextFile, 'share from the CLI');
    const blob = await runAwsCli(moto, [
      'kms',
      'encrypt',
      '--key-id',
      keyArn,
      '--plaintext',
      `fileb://${plaintextFile}`,
      '--encryption-context',
      `ewi=${WALLET}`,
      '--query',
      'CiphertextBlob',
      '--output',
      'text',
    ]);

    expect(await decryptOverHttp(api, blob.trim())).toMatchObject({
      status: 200,
      envelope: { data: { plaintext: 'share from the CLI' } },
    });
  });

  it('passes the deep health check', async () => {
    const response = await fetch(`${api.server.url}/healthz?deep=true`);

    expect(response.status).toBe(200);
  });

  it('answers 503 while KMS is unreachable', async () => {
    const ciphertext = await encryptOverHttp(api, 'share');

    await moto.stop();
    let during;
    try {
      during = await decryptOverHttp(api, ciphertext);
    } finally {
      await moto.restart();
    }

    expect(during).toMatchObject({
      status: 503,
      envelope: { error_code: 'KEY_SERVICE_UNAVAILABLE' },
    });
    expect(await decryptOverHttp(api, ciphertext)).toMatchObject({ status: 200 });
  }, 30_000);
});

describe('API on AWS KMS across modes and keys', () => {
  it('makes a direct-mode blob that aws kms decrypt accepts', async () => {
    const api = await startApi({ KMS_MODE: 'direct' });
    const ciphertext = await encryptOverHttp(api, 'share for the CLI');
    const blobFile = join(workDir, 'api-blob.bin');
    writeFileSync(blobFile, Buffer.from(ciphertext, 'base64'));

    const plaintext = await runAwsCli(moto, [
      'kms',
      'decrypt',
      '--key-id',
      keyArn,
      '--ciphertext-blob',
      `fileb://${blobFile}`,
      '--encryption-context',
      `ewi=${WALLET}`,
      '--query',
      'Plaintext',
      '--output',
      'text',
    ]);

    expect(Buffer.from(plaintext.trim(), 'base64').toString('utf8')).toBe('share for the CLI');
  });

  it('routes each format to its mode in one deployment', async () => {
    const directApi = await startApi({ KMS_MODE: 'direct' });
    const envelopeApi = await startApi({
      KMS_MODE: 'envelope',
      KMS_CACHE_CAPACITY: '100',
      KMS_CACHE_MAX_AGE_SECONDS: '60',
    });
    const blob = await encryptOverHttp(directApi, 'legacy share');
    const message = await encryptOverHttp(envelopeApi, 'envelope share');

    expect(Buffer.from(message, 'base64')[0]).toBe(0x02);
    expect(await decryptOverHttp(envelopeApi, blob)).toMatchObject({
      envelope: { data: { plaintext: 'legacy share' } },
    });
    expect(await decryptOverHttp(envelopeApi, message)).toMatchObject({
      envelope: { data: { plaintext: 'envelope share' } },
    });
    expect(await decryptOverHttp(directApi, message)).toMatchObject({
      envelope: { data: { plaintext: 'envelope share' } },
    });
  });

  it('decrypts with a decrypt-only key after rotation', async () => {
    const before = await startApi({ DKMS_KMS_KEY_ID: oldKeyArn });
    const ciphertext = await encryptOverHttp(before, 'rotated share');
    const after = await startApi({ KMS_DECRYPT_KEY_IDS: oldKeyArn });
    const withoutOldKey = await startApi();

    expect(await decryptOverHttp(after, ciphertext)).toMatchObject({
      status: 200,
      envelope: { data: { plaintext: 'rotated share' } },
    });
    expect(await decryptOverHttp(withoutOldKey, ciphertext)).toMatchObject({
      status: 400,
      envelope: { error_code: 'DECRYPTION_FAILED' },
    });
  });
});

describe('AWS KMS configuration', () => {
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

  it('requires DKMS_KMS_KEY_ID', () => {
    expect(problemsOf(kmsEnvironment({ DKMS_KMS_KEY_ID: '' }))).toEqual([
      'DKMS_KMS_KEY_ID: is not set. Set it to the id, ARN or alias of the KMS key that encrypts, such as alias/dkms-customer-key-prod.',
    ]);
  });

  it('lists every bad value in one error', () => {
    const problems = problemsOf(
      kmsEnvironment({
        KMS_MODE: 'hybrid',
        AWS_ENDPOINT_URL_KMS: 'localhost:4566',
        KMS_REQUEST_TIMEOUT_MS: '0',
        KMS_MAX_ATTEMPTS: 'many',
      }),
    );

    expect(problems.map((line) => line.split(':')[0])).toEqual([
      'AWS_ENDPOINT_URL_KMS',
      'KMS_MODE',
      'KMS_REQUEST_TIMEOUT_MS',
      'KMS_MAX_ATTEMPTS',
    ]);
  });

  it('rejects a cache in direct mode', () => {
    expect(problemsOf(kmsEnvironment({ KMS_CACHE_CAPACITY: '10' }))).toEqual([
      'KMS_CACHE_CAPACITY: is set, but the data-key cache works in envelope mode only. Set KMS_MODE=envelope, or set KMS_CACHE_CAPACITY=0.',
    ]);
  });

  it('parses the cache settings in envelope mode', () => {
    const configuration = loadServiceConfiguration(
      kmsEnvironment({
        KMS_MODE: 'envelope',
        KMS_CACHE_CAPACITY: '50',
        KMS_CACHE_MAX_AGE_SECONDS: '30',
        KMS_CACHE_MAX_MESSAGES: '200',
        KMS_CACHE_MAX_BYTES: '65536',
        KMS_DECRYPT_KEY_IDS: `${oldKeyArn}, alias/old`,
      }),
      'lambda',
    );

    expect(configuration.primary.config).toMatchObject({
      mode: 'envelope',
      decryptKeyIds: [oldKeyArn, 'alias/old'],
      cache: {
        capacity: 50,
        maxAgeSeconds: 30,
        maxMessagesPerDataKey: 200,
        maxBytesPerDataKey: 65536,
      },
    });
  });

  it('reports a key that does not exist at start-up', async () => {
    await expect(startApi({ DKMS_KMS_KEY_ID: 'alias/does-not-exist' })).rejects.toThrow(
      'alias/does-not-exist',
    );
  });
});
