import { randomBytes } from 'node:crypto';

import { CiphertextProviderId } from '@split-kms/core';
import {
  describeKeyShareCipherConformance,
  sampleForeignCiphertexts,
} from '@split-kms/core/conformance';

import { SoftwareKeyShareCipher, softwareKeyFromBytes } from '../src';

describeKeyShareCipherConformance('SoftwareKeyShareCipher', {
  create: () =>
    new SoftwareKeyShareCipher({ keys: [softwareKeyFromBytes('test', 1, randomBytes(32))] }),
  foreignCiphertexts: () => {
    const samples = sampleForeignCiphertexts();

    return [
      samples.awsKmsBlob,
      samples.encryptionSdk,
      samples.splitKms(CiphertextProviderId.PKCS11),
    ];
  },
});
