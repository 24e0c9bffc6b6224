import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startLocalApi, type LocalApi } from './local-api';
import { runVendorFlow } from './vendor-flow';

/*
 * `npm run demo`: starts the local API on a free port with fresh development
 * keys in a temporary directory, runs the wallet vendor's flow against it over
 * HTTP, prints each step, and exits non-zero if any check fails.
 */

async function main(): Promise<number> {
  const directory = await mkdtemp(join(tmpdir(), 'split-kms-demo-'));
  let api: LocalApi | undefined;
  try {
    console.log('Starting the local Split KMS API (software provider, development tokens)...');
    api = await startLocalApi(directory);
    console.log(`API listening on ${api.baseUrl}\n`);

    const result = await runVendorFlow({
      baseUrl: api.baseUrl,
      tokenFor: api.tokenFor,
      log: (line) => console.log(`- ${line}`),
    });

    const keyRestored = result.rebuiltAddress === result.address;
    const otherWalletRejected =
      result.otherWallet.status === 400 && result.otherWallet.errorCode === 'DECRYPTION_FAILED';
    console.log(`\nAddress unchanged after the round trip: ${keyRestored ? 'yes' : 'NO'}`);
    console.log(`Wallet-b rejected: ${otherWalletRejected ? 'yes' : 'NO'}`);

    return keyRestored && otherWalletRejected ? 0 : 1;
  } finally {
    await api?.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`The demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
