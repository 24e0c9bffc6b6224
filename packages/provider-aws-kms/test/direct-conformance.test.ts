import { afterAll } from '@jest/globals';
import {
  describeKeyShareCipherConformance,
  KNOWN_PROVIDER_IDS,
  sampleForeignCiphertexts,
} from '@split-kms/core/conformance';

import { startMotoFixture, type MotoFixture } from './moto-fixture';

let fixture: MotoFixture | undefined;

afterAll(async () => fixture?.close(), 30_000);

describeKeyShareCipherConformance('DirectKmsKeyShareCipher against moto', {
  create: async () => {
    fixture = await startMotoFixture();
    const key = await fixture.createKey();

    return fixture.createCipher({ keyId: key.arn });
  },
  dispose: async () => undefined,
  foreignCiphertexts: () => {
    const samples = sampleForeignCiphertexts();

    return [samples.encryptionSdk, ...KNOWN_PROVIDER_IDS.map((id) => samples.splitKms(id))];
  },
  bitFlipPlaintextBytes: 4,
});
