import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createKey, openAdminSession } from '@split-kms/provider-pkcs11-hsm';
import { TestJwksServer } from '@split-kms/testing/jwks';
import {
  createSoftHsmToken,
  removeSoftHsmDirectory,
  type SoftHsmToken,
} from '@split-kms/testing/softhsm';

import { bundleFunction } from './bundle-assets';
import { envelopeOf, httpApiEvent, invokeBundle } from './bundled-handler';
import { HSM_CONTEXT } from './stack-fixtures';

const KEY_LABEL = 'split-kms-shares';
const ORIGIN = 'https://auth.magic.link';

/*
 * Runs the CloudHSM variant's real bundle, with the pkcs11js addon that the
 * bundling step copied, against a SoftHSM2 token and a local JWKS server.
 */
describe('CloudHSM variant bundle on SoftHSM2', () => {
  let bundleDir = '';
  let token: SoftHsmToken;
  let jwks: TestJwksServer;

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

    jwks = await TestJwksServer.start();
    bundleDir = bundleFunction(HSM_CONTEXT);
  });

  afterAll(async () => {
    await jwks.stop();
    removeSoftHsmDirectory();
  });

  function environment(): Record<string, string> {
    return {
      SOFTHSM2_CONF: process.env.SOFTHSM2_CONF ?? '',
      KEY_SHARE_CIPHER: 'pkcs11',
      PKCS11_LIBRARY: token.libraryPath,
      PKCS11_TOKEN_LABEL: token.label,
      PKCS11_KEY_LABEL: KEY_LABEL,
      PKCS11_PIN: token.userPin,
      PKCS11_IV_MODE: 'caller',
      JWKS_URL: jwks.url,
      CORS_ALLOW_ORIGINS: ORIGIN,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
  }

  async function encryptThenDecrypt(encryptToken: string, decryptToken: string) {
    const json = { origin: ORIGIN, 'content-type': 'application/json' };

    return invokeBundle(
      bundleDir,
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

  it('round-trips a share through the bundle', async () => {
    const bearer = await jwks.mintToken({ claims: { ewi: 'wallet-1' } });
    const [encrypt, decrypt] = await encryptThenDecrypt(bearer, bearer);

    expect(encrypt!.statusCode).toBe(200);
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
