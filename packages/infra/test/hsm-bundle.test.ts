import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { createKey, openAdminSession } from '@split-kms/provider-pkcs11-hsm';
import { TestJwksServer } from '@split-kms/testing/jwks';
import { startMoto, type MotoServer } from '@split-kms/testing/moto';
import {
  createSoftHsmToken,
  removeSoftHsmDirectory,
  type SoftHsmToken,
} from '@split-kms/testing/softhsm';

import type { SynthesizedFunction } from '../bench/function-bundle';
import { synthesizeTestFunction } from './bundle-assets';
import { envelopeOf, httpApiEvent, invokeBundle } from './bundled-handler';
import { HSM_CONTEXT } from './stack-fixtures';

const KEY_LABEL = 'split-kms-shares';
const ORIGIN = 'https://auth.magic.link';

/*
 * Runs the CloudHSM variant's real bundle, with the pkcs11js addon that the
 * bundling step copied and the environment that the template sets, against a
 * SoftHSM2 token, a PIN secret in moto's Secrets Manager and a local JWKS server.
 */
describe('CloudHSM variant bundle on SoftHSM2', () => {
  let token: SoftHsmToken;
  let moto: MotoServer;
  let jwks: TestJwksServer;
  let deployed: SynthesizedFunction;

  beforeAll(async () => {
    token = createSoftHsmToken();
    const admin = openAdminSession({
      libraryPath: token.libraryPath,
      tokenLabel: token.label,
      pin: token.userPin,
      keyLabel: KEY_LABEL,
    });
    try {
      createKey(admin, KEY_LABEL);
    } finally {
      admin.close();
    }

    moto = await startMoto();
    const secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: moto.region });
    const secret = await secrets.send(
      new CreateSecretCommand({ Name: 'split-kms/pin', SecretString: token.userPin }),
    );
    secrets.destroy();

    jwks = await TestJwksServer.start();
    deployed = synthesizeTestFunction({
      ...HSM_CONTEXT,
      hsm_library_path: token.libraryPath,
      hsm_token_label: token.label,
      hsm_key_label: KEY_LABEL,
      hsm_pin_secret_arn: secret.ARN,
      // SoftHSM2 uses the caller's IV, unlike AWS CloudHSM.
      hsm_iv_mode: 'caller',
    });
  });

  afterAll(async () => {
    await jwks.stop();
    await moto.close();
    removeSoftHsmDirectory();
  });

  function environment(): Record<string, string> {
    return {
      ...deployed.environment,
      // Synthesis accepts only an https JWKS URL, but the test server is plain HTTP on loopback.
      JWKS_URL: jwks.url,
      SOFTHSM2_CONF: process.env.SOFTHSM2_CONF ?? '',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
  }

  async function encryptThenDecrypt(encryptToken: string, decryptToken: string) {
    const json = { origin: ORIGIN, 'content-type': 'application/json' };

    return invokeBundle(
      deployed.bundleDir,
      [
        httpApiEvent(
          'POST',
          '/encrypt',
          { ...json, authorization: `Bearer ${encryptToken}` },
          '{"plaintext":"share-1"}',
        ),
        httpApiEvent(
          'POST',
          '/decrypt',
          { ...json, authorization: `Bearer ${decryptToken}` },
          '{"ciphertext":"{{ciphertext}}"}',
        ),
      ],
      environment(),
    );
  }

  it('passes the PIN as a secret ARN', () => {
    expect(deployed.environment.PKCS11_PIN_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:/);
    expect(deployed.environment).not.toHaveProperty('PKCS11_PIN');
  });

  it('round-trips a share through the bundle', async () => {
    const bearer = await jwks.mintToken({ claims: { ewi: 'wallet-1' } });
    const [encrypt, decrypt] = await encryptThenDecrypt(bearer, bearer);

    // A start-up failure shows here with its error code, such as SERVICE_MISCONFIGURED.
    expect(envelopeOf(encrypt)).toMatchObject({ error_code: '', status: 'OK' });
    expect((envelopeOf(encrypt).data as { ciphertext: string }).ciphertext).toMatch(
      /^[A-Za-z0-9+/]+=*$/,
    );
    expect(decrypt!.statusCode).toBe(200);
    expect(envelopeOf(decrypt)).toEqual({
      data: { plaintext: 'share-1' },
      error_code: '',
      message: '',
      status: 'OK',
    });
  });

  it('rejects another wallet', async () => {
    const owner = await jwks.mintToken({ claims: { ewi: 'wallet-1' } });
    const stranger = await jwks.mintToken({ claims: { ewi: 'wallet-2' } });
    const [encrypt, decrypt] = await encryptThenDecrypt(owner, stranger);

    expect(encrypt!.statusCode).toBe(200);
    expect(decrypt!.statusCode).toBe(400);
    expect(envelopeOf(decrypt)).toMatchObject({ data: {}, error_code: 'DECRYPTION_FAILED' });
  });
});
