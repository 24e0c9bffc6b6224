import { CiphertextProviderId } from '@split-kms/core';
import {
  describeKeyShareCipherConformance,
  sampleForeignCiphertexts,
} from '@split-kms/core/conformance';

import { connect, createTokenWithKey } from './token-fixture';

const fixture = createTokenWithKey('conformance');

describeKeyShareCipherConformance('Pkcs11KeyShareCipher on SoftHSM2', {
  create: async () => connect(fixture, { poolSize: 3 }),
  foreignCiphertexts,
  concurrency: 200,
});

describeKeyShareCipherConformance('Pkcs11KeyShareCipher on SoftHSM2, callMode sync', {
  create: async () => connect(fixture, { poolSize: 3, callMode: 'sync' }),
  foreignCiphertexts,
  concurrency: 200,
});

describeKeyShareCipherConformance(
  'Pkcs11KeyShareCipher on SoftHSM2, callMode sync with session key copies',
  {
    create: async () => connect(fixture, { poolSize: 3, callMode: 'sync', sessionKeyCopies: true }),
    foreignCiphertexts,
    concurrency: 200,
  },
);

function foreignCiphertexts(): Uint8Array[] {
  const samples = sampleForeignCiphertexts();

  return [
    samples.awsKmsBlob,
    samples.encryptionSdk,
    samples.splitKms(CiphertextProviderId.SOFTWARE),
    samples.splitKms(CiphertextProviderId.PKCS11),
  ];
}
