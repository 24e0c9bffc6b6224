import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { detectCiphertextFormat } from '@split-kms/core';

import { createAwsKmsRouter } from '../src';
import { bytes, startMotoFixture, text, type MotoFixture, type TestKey } from './moto-fixture';

const CONTEXT = { ewi: 'wallet-router' };

let fixture: MotoFixture;
let key: TestKey;

beforeAll(async () => {
  fixture = await startMotoFixture();
  key = await fixture.createKey();
}, 60_000);

afterAll(async () => fixture?.close(), 30_000);

function routerOptions(mode: 'direct' | 'envelope') {
  return { keyId: key.arn, mode, endpoint: fixture.moto.endpoint, region: fixture.moto.region };
}

describe('createAwsKmsRouter', () => {
  it('decrypts both formats in envelope mode', async () => {
    const direct = await createAwsKmsRouter(routerOptions('direct'));
    const envelope = await createAwsKmsRouter(routerOptions('envelope'));
    const blob = await direct.encrypt(bytes('legacy share'), CONTEXT);
    const message = await envelope.encrypt(bytes('envelope share'), CONTEXT);

    expect(detectCiphertextFormat(blob)).toBe('legacy');
    expect(detectCiphertextFormat(message)).toBe('aws-encryption-sdk');
    expect(envelope.providerFor(blob)?.name).toBe('aws-kms');
    expect(text(await envelope.decrypt(blob, CONTEXT))).toBe('legacy share');
    expect(text(await direct.decrypt(message, CONTEXT))).toBe('envelope share');

    await direct.close();
    await envelope.close();
  });

  it('names the primary mode and checks both', async () => {
    const router = await createAwsKmsRouter(routerOptions('envelope'));

    const health = await router.checkHealth();

    expect(router.name).toBe('aws-kms-envelope');
    expect(health.healthy).toBe(true);
    expect(health.components?.map((component) => component.provider)).toEqual([
      'aws-kms-envelope',
      'aws-kms',
    ]);
    await router.close();
  });
});
