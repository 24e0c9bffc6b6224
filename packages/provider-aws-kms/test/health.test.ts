import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bytes, startMotoFixture, type MotoFixture } from './moto-fixture';

let fixture: MotoFixture;

beforeAll(async () => {
  fixture = await startMotoFixture();
}, 60_000);

afterAll(async () => fixture?.close(), 30_000);

describe('checkHealth', () => {
  it('reports an enabled symmetric key healthy', async () => {
    const key = await fixture.createKey();
    const cipher = await fixture.createCipher({ keyId: key.arn });

    const health = await cipher.checkHealth();

    expect(health).toEqual({
      healthy: true,
      provider: 'aws-kms',
      detail: `KMS keys are enabled for symmetric encryption: ${key.arn}.`,
    });
  });

  it('reports a disabled key', async () => {
    const key = await fixture.createKey();
    const cipher = await fixture.createCipher({ keyId: key.arn, mode: 'envelope' });
    await fixture.admin.disableKey({ KeyId: key.keyId });

    const health = await cipher.checkHealth();

    expect(health.healthy).toBe(false);
    expect(health.provider).toBe('aws-kms-envelope');
    expect(health.detail).toBe(`KMS key ${key.arn} is not enabled (state Disabled).`);
  });

  it('reports a key pending deletion', async () => {
    const key = await fixture.createKey();
    const cipher = await fixture.createCipher({ keyId: key.arn });
    await fixture.admin.scheduleKeyDeletion({ KeyId: key.keyId, PendingWindowInDays: 7 });

    const health = await cipher.checkHealth();

    expect(health.healthy).toBe(false);
    expect(health.detail).toBe(`KMS key ${key.arn} is not enabled (state PendingDeletion).`);
  });

  it('reports a decrypt-only key that is disabled', async () => {
    const key = await fixture.createKey();
    const oldKey = await fixture.createKey();
    const cipher = await fixture.createCipher({ keyId: key.arn, decryptKeyIds: [oldKey.arn] });
    await fixture.admin.disableKey({ KeyId: oldKey.keyId });

    const health = await cipher.checkHealth();

    expect(health.healthy).toBe(false);
    expect(health.detail).toContain(oldKey.arn);
    expect(health.detail).not.toContain(`${key.arn} is`);
  });

  it('reports a signing key as unusable', async () => {
    const { KeyMetadata } = await fixture.admin.createKey({
      KeyUsage: 'SIGN_VERIFY',
      KeySpec: 'ECC_NIST_P256',
    });
    const cipher = await fixture.createCipher({ keyId: KeyMetadata!.Arn! });

    const health = await cipher.checkHealth();

    expect(health.healthy).toBe(false);
    expect(health.detail).toContain('SYMMETRIC_DEFAULT is required');
  });

  it('reports an unreachable KMS without throwing', async () => {
    const key = await fixture.createKey();
    const cipher = await fixture.createCipher({ keyId: key.arn });
    await cipher.encrypt(bytes('warm up'), { ewi: 'wallet-health' });

    await fixture.moto.stop();
    const health = await cipher.checkHealth().finally(async () => fixture.moto.restart());

    expect(health.healthy).toBe(false);
    expect(health.detail).toContain('KMS is unreachable or unavailable');
  });

  it('reports a missing key', async () => {
    const key = await fixture.createKey();
    const cipher = await fixture.createCipher({ keyId: `${key.arn.slice(0, -12)}000000000000` });

    const health = await cipher.checkHealth();

    expect(health.healthy).toBe(false);
    expect(health.detail).toContain('does not exist');
  });
});
