import { KeyShareCipherRouter } from '@split-kms/core';
import {
  DEVELOPMENT_ONLY_WARNING,
  loadOrCreateKeyFile,
  SoftwareKeyShareCipher,
} from '@split-kms/provider-software';

import { createShareServer } from './server';
import { ShareVault } from './share-vault';

async function main(): Promise<void> {
  const { keys } = await loadOrCreateKeyFile('.split-kms/example-keys.json');
  console.warn(DEVELOPMENT_ONLY_WARNING);

  // Swap SoftwareKeyShareCipher for the AWS KMS or PKCS#11 provider in production.
  const cipher = new KeyShareCipherRouter({ primary: new SoftwareKeyShareCipher({ keys }) });
  const server = createShareServer(new ShareVault(cipher));

  server.listen(8090, '127.0.0.1', () => {
    console.log('Example backend on http://127.0.0.1:8090');
    console.log(
      "Try: curl -X PUT -H 'x-wallet-id: w1' --data 'my share' http://127.0.0.1:8090/shares/row1",
    );
    console.log("     curl -H 'x-wallet-id: w1' http://127.0.0.1:8090/shares/row1");
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
