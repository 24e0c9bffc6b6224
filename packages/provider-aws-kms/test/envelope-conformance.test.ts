import { afterAll } from '@jest/globals';
import {
  describeKeyShareCipherConformance,
  KNOWN_PROVIDER_IDS,
  sampleForeignCiphertexts,
} from '@split-kms/core/conformance';

import { startMotoFixture, type MotoFixture } from './moto-fixture';

const fixtures: MotoFixture[] = [];

afterAll(async () => Promise.all(fixtures.map(async (fixture) => fixture.close())), 30_000);

function foreignCiphertexts(): Uint8Array[] {
  const samples = sampleForeignCiphertexts();

  return [samples.awsKmsBlob, ...KNOWN_PROVIDER_IDS.map((id) => samples.splitKms(id))];
}

describeKeyShareCipherConformance('EnvelopeKmsKeyShareCipher against moto', {
  create: async () => {
    const fixture = await startMotoFixture();
    fixtures.push(fixture);
    const key = await fixture.createKey();

    return fixture.createCipher({ keyId: key.keyId, mode: 'envelope' });
  },
  dispose: async () => undefined,
  foreignCiphertexts,
  bitFlipPlaintextBytes: 1,
});

describeKeyShareCipherConformance('EnvelopeKmsKeyShareCipher with a data-key cache against moto', {
  create: async () => {
    const fixture = await startMotoFixture();
    fixtures.push(fixture);
    const key = await fixture.createKey();

    return fixture.createCipher({
      keyId: key.keyId,
      mode: 'envelope',
      cache: { maxAgeSeconds: 60, maxMessagesPerDataKey: 100 },
    });
  },
  dispose: async () => undefined,
  foreignCiphertexts,
  bitFlipPlaintextBytes: 1,
});
