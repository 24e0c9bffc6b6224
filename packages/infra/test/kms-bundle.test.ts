import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KMS } from '@aws-sdk/client-kms';

import { TestJwksServer } from '@split-kms/testing/jwks';
import { startMoto, type MotoServer } from '@split-kms/testing/moto';

import type { SynthesizedFunction } from '../bench/function-bundle';
import { synthesizeTestFunction } from './bundle-assets';
import { envelopeOf, httpApiEvent, invokeBundle } from './bundled-handler';

const ORIGIN = 'https://auth.magic.link';

/*
 * Runs the KMS variant's real bundle, with the AWS SDK bundled into it and the
 * environment that the template sets, against moto's KMS emulator and a local
 * JWKS server. The key is moto's, given as `existing_key_arn`.
 */
describe('KMS variant bundle on moto', () => {
  const deployed: Partial<Record<'direct' | 'envelope', SynthesizedFunction>> = {};
  let moto: MotoServer;
  let jwks: TestJwksServer;
  let kms: KMS;
  let keyArn = '';

  beforeAll(async () => {
    moto = await startMoto();
    kms = new KMS({ endpoint: moto.endpoint, region: moto.region });
    const created = await kms.createKey({ Description: 'split-kms infra bundle test' });
    keyArn = created.KeyMetadata!.Arn!;

    jwks = await TestJwksServer.start();
    for (const kmsMode of ['direct', 'envelope'] as const) {
      deployed[kmsMode] = synthesizeTestFunction({ existing_key_arn: keyArn, kms_mode: kmsMode });
    }
  });

  afterAll(async () => {
    kms.destroy();
    await jwks.stop();
    await moto.close();
  });

  async function encryptThenDecrypt(kmsMode: 'direct' | 'envelope', wallet: string) {
    const bearer = await jwks.mintToken({ claims: { ewi: wallet } });
    const headers = {
      origin: ORIGIN,
      'content-type': 'application/json',
      authorization: `Bearer ${bearer}`,
    };

    const { bundleDir, environment } = deployed[kmsMode]!;

    return invokeBundle(
      bundleDir,
      [
        httpApiEvent('POST', '/encrypt', headers, '{"plaintext":"share-1"}'),
        httpApiEvent('POST', '/decrypt', headers, '{"ciphertext":"{{ciphertext}}"}'),
      ],
      {
        ...environment,
        // Synthesis accepts only an https JWKS URL, but the test server is plain HTTP on loopback.
        JWKS_URL: jwks.url,
        AWS_REGION: moto.region,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_KMS: moto.endpoint,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    );
  }

  it('names the key and mode in the environment', () => {
    expect(deployed.direct!.environment).toMatchObject({
      DKMS_KMS_KEY_ID: keyArn,
      KMS_MODE: 'direct',
    });
    expect(deployed.envelope!.environment).toMatchObject({
      DKMS_KMS_KEY_ID: keyArn,
      KMS_MODE: 'envelope',
    });
  });

  it.each(['direct', 'envelope'] as const)('round-trips a share in %s mode', async (kmsMode) => {
    const [encrypt, decrypt] = await encryptThenDecrypt(kmsMode, 'wallet-1');

    // A start-up failure shows here with its error code, such as SERVICE_MISCONFIGURED.
    expect(envelopeOf(encrypt)).toMatchObject({ error_code: '', status: 'OK' });
    expect(encrypt!.statusCode).toBe(200);
    expect(decrypt!.statusCode).toBe(200);
    expect(envelopeOf(decrypt)).toEqual({
      data: { plaintext: 'share-1' },
      error_code: '',
      message: '',
      status: 'OK',
    });
  });

  it('direct mode returns a raw KMS blob', async () => {
    const [encrypt] = await encryptThenDecrypt('direct', 'wallet-7');
    expect(envelopeOf(encrypt)).toMatchObject({ error_code: '', status: 'OK' });
    const { ciphertext } = envelopeOf(encrypt).data as { ciphertext: string };

    const decrypted = await kms.decrypt({
      CiphertextBlob: Buffer.from(ciphertext, 'base64'),
      EncryptionContext: { ewi: 'wallet-7' },
    });
    expect(Buffer.from(decrypted.Plaintext!).toString('utf8')).toBe('share-1');
  });
});
