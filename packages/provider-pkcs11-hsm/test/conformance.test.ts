import { CiphertextProviderId } from '@split-kms/core';
import {
  describeKeyShareCipherConformance,
  sampleForeignCiphertexts,
} from '@split-kms/core/conformance';

import { connect, createTokenWithKey } from './token-fixture';

const fixture = createTokenWithKey('conformance');

describeKeyShareCipherConformance('Pkcs11KeyShareCipher on SoftHSM2', {
  create: async () => connect(fixture, { poolSize: 3 }),
  foreignCiphertexts: () => {
    const samples = sampleForeignCiphertexts();

    return [
      samples.awsKmsBlob,
      samples.encryptionSdk,
      samples.splitKms(CiphertextProviderId.SOFTWARE),
      samples.splitKms(CiphertextProviderId.PKCS11),
    ];
  },
  concurrency: 200,
});
