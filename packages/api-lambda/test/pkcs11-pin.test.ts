import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KEY_SHARE_CIPHER, type KeyShareCipher } from '@split-kms/core';
import { createKey, openAdminSession } from '@split-kms/provider-pkcs11-hsm';
import { startMoto, type MotoServer } from '@split-kms/testing/moto';
import { createSoftHsmToken, type SoftHsmToken } from '@split-kms/testing/softhsm';

import { buildServiceContainer } from '../src/composition/container';
import { readPinSource, resolvePin } from '../src/composition/providers/pkcs11-pin';
import { EnvironmentReader } from '../src/config/environment-reader';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';

const ARN_PREFIX = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';

describe('readPinSource', () => {
  function read(env: Record<string, string>): { source: unknown; problems: readonly string[] } {
    const reader = new EnvironmentReader(env);
    const source = readPinSource(reader, env);

    return { source, problems: reader.problems };
  }

  it('takes the PIN itself', () => {
    expect(read({ PKCS11_PIN: 'user:secret-pin' }).source).toEqual({
      kind: 'value',
      pin: 'user:secret-pin',
    });
  });

  it('takes a secret ARN', () => {
    const secretArn = `${ARN_PREFIX}hsm-pin-AbCdEf`;

    expect(read({ PKCS11_PIN_SECRET_ARN: secretArn }).source).toEqual({
      kind: 'secret',
      secretArn,
    });
  });

  it('rejects both at once without quoting the PIN', () => {
    const { problems } = read({
      PKCS11_PIN: 'user:secret-pin',
      PKCS11_PIN_SECRET_ARN: `${ARN_PREFIX}x`,
    });

    expect(problems).toEqual([
      'PKCS11_PIN: is set together with PKCS11_PIN_SECRET_ARN. Set only one of the two.',
    ]);
  });

  it('rejects a value that is not a secret ARN', () => {
    const { problems } = read({ PKCS11_PIN_SECRET_ARN: 'my-secret' });

    expect(problems[0]).toMatch(
      /^PKCS11_PIN_SECRET_ARN: "my-secret" is not a Secrets Manager secret ARN\. Set /,
    );
  });

  it('rejects neither being set', () => {
    expect(read({}).problems[0]).toMatch(
      /^PKCS11_PIN: is not set, and neither is PKCS11_PIN_SECRET_ARN\. Set /,
    );
  });
});

describe('PIN from Secrets Manager on moto', () => {
  let moto: MotoServer;
  let secrets: SecretsManagerClient;
  let token: SoftHsmToken;
  const previousEndpoint = process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'];

  beforeAll(async () => {
    moto = await startMoto();
    process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] = moto.endpoint;
    secrets = new SecretsManagerClient({ region: moto.region, endpoint: moto.endpoint });

    token = createSoftHsmToken();
    const admin = openAdminSession({
      libraryPath: token.libraryPath,
      tokenLabel: token.label,
      pin: token.userPin,
      keyLabel: 'pin-shares',
    });
    createKey(admin, 'pin-shares');
    admin.close();
  });

  afterAll(async () => {
    secrets?.destroy();
    await moto?.close();
    if (previousEndpoint === undefined) {
      delete process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'];
    } else {
      process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] = previousEndpoint;
    }
  });

  async function createSecret(name: string, secretString: string): Promise<string> {
    const output = await secrets.send(
      new CreateSecretCommand({ Name: name, SecretString: secretString }),
    );

    return output.ARN!;
  }

  it('reads a plain secret string', async () => {
    const secretArn = await createSecret('pin-plain', 'user:plain-pin');

    expect(await resolvePin({ kind: 'secret', secretArn })).toBe('user:plain-pin');
  });

  it('reads the pin field of a JSON secret', async () => {
    const secretArn = await createSecret('pin-json', JSON.stringify({ pin: 'user:json-pin' }));

    expect(await resolvePin({ kind: 'secret', secretArn })).toBe('user:json-pin');
  });

  it('rejects a JSON secret without a pin field', async () => {
    const secretArn = await createSecret(
      'pin-empty',
      JSON.stringify({ password: 'user:json-pin' }),
    );

    await expect(resolvePin({ kind: 'secret', secretArn })).rejects.toThrow(
      `secret ${secretArn} has no PIN`,
    );
  });

  it('names the variable when the secret is missing', async () => {
    const secretArn = `${ARN_PREFIX}does-not-exist-AbCdEf`;

    await expect(resolvePin({ kind: 'secret', secretArn })).rejects.toThrow(
      `PKCS11_PIN_SECRET_ARN: reading secret ${secretArn} failed (ResourceNotFoundException).`,
    );
  });

  it('logs in to the HSM with the secret PIN', async () => {
    const secretArn = await createSecret('pin-softhsm', token.userPin);
    const container = await buildServiceContainer({
      mode: 'lambda',
      env: {
        KEY_SHARE_CIPHER: 'pkcs11',
        PKCS11_LIBRARY: token.libraryPath,
        PKCS11_TOKEN_LABEL: token.label,
        PKCS11_PIN_SECRET_ARN: secretArn,
        PKCS11_KEY_LABEL: 'pin-shares',
        JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      },
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: DISABLED_METRICS,
    });
    const cipher = container.resolve<KeyShareCipher>(KEY_SHARE_CIPHER);

    const ciphertext = await cipher.encrypt(new TextEncoder().encode('share'), { ewi: 'wallet-1' });

    expect(new TextDecoder().decode(await cipher.decrypt(ciphertext, { ewi: 'wallet-1' }))).toBe(
      'share',
    );
    await cipher.close?.();
  });
});
