/**
 * Counts the KMS requests that 1,000 encrypts and 1,000 decrypts cost in each
 * mode, as seen by a local moto emulator, and the ciphertext size per mode.
 * Prints markdown tables. Run with `npm run bench` in this package; it needs
 * python3 with moto installed and takes well under a minute.
 */
import { KMS } from '@aws-sdk/client-kms';
import { startMoto, type MotoServer } from '@split-kms/testing/moto';

import { createAwsKmsKeyShareCipher, type AwsKmsKeyShareCipherOptions } from '../src';

const OPERATIONS = 1000;
const SHARE_BYTES = [32, 200] as const;

interface Scenario {
  readonly label: string;
  readonly options: Omit<AwsKmsKeyShareCipherOptions, 'keyId'>;
  /** Distinct `ewi` values the operations cycle through. */
  readonly wallets: number;
}

const CACHE = { maxAgeSeconds: 300, maxMessagesPerDataKey: 1000, capacity: 1000 };

const SCENARIOS: readonly Scenario[] = [
  { label: 'direct', options: { mode: 'direct' }, wallets: 1 },
  { label: 'envelope, no cache', options: { mode: 'envelope' }, wallets: 1 },
  { label: 'envelope, cache, 1 wallet', options: { mode: 'envelope', cache: CACHE }, wallets: 1 },
  {
    label: 'envelope, cache, 10 wallets',
    options: { mode: 'envelope', cache: CACHE },
    wallets: 10,
  },
  {
    label: 'envelope, cache, 1,000 wallets',
    options: { mode: 'envelope', cache: CACHE },
    wallets: OPERATIONS,
  },
];

async function main(): Promise<void> {
  const moto = await startMoto();
  try {
    const keyArn = await createKey(moto);
    const rows: string[] = [];
    for (const scenario of SCENARIOS) {
      rows.push(await measureRequests(moto, keyArn, scenario));
    }
    printTable(
      `KMS requests per ${OPERATIONS.toLocaleString('en-US')} operations (counted at moto)`,
      ['mode', 'wallets', 'encrypt', 'decrypt'],
      rows,
    );
    printTable(
      'Ciphertext size in bytes (moto blobs)',
      ['mode', ...SHARE_BYTES.map((size) => `${size}-byte share`)],
      [await measureSize(moto, keyArn, 'direct'), await measureSize(moto, keyArn, 'envelope')],
    );
  } finally {
    await moto.close();
  }
}

async function createKey(moto: MotoServer): Promise<string> {
  const admin = new KMS({ endpoint: moto.endpoint, region: moto.region });
  const { KeyMetadata } = await admin.createKey({
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
  });
  admin.destroy();

  return KeyMetadata!.Arn!;
}

async function measureRequests(
  moto: MotoServer,
  keyArn: string,
  scenario: Scenario,
): Promise<string> {
  const cipher = await createAwsKmsKeyShareCipher({
    ...scenario.options,
    keyId: keyArn,
    endpoint: moto.endpoint,
  });
  const share = new Uint8Array(32).fill(7);
  const contexts = Array.from({ length: OPERATIONS }, (_, index) => ({
    ewi: `wallet-${index % scenario.wallets}`,
  }));

  moto.resetRequestCount();
  const ciphertexts: Uint8Array[] = [];
  for (const context of contexts) {
    ciphertexts.push(await cipher.encrypt(share, context));
  }
  const encryptRequests = moto.requestCount();

  moto.resetRequestCount();
  for (const [index, ciphertext] of ciphertexts.entries()) {
    await cipher.decrypt(ciphertext, contexts[index]!);
  }
  const decryptRequests = moto.requestCount();
  await cipher.close();

  return `| ${scenario.label} | ${scenario.wallets} | ${encryptRequests} | ${decryptRequests} |`;
}

async function measureSize(
  moto: MotoServer,
  keyArn: string,
  mode: 'direct' | 'envelope',
): Promise<string> {
  const cipher = await createAwsKmsKeyShareCipher({ mode, keyId: keyArn, endpoint: moto.endpoint });
  const sizes: number[] = [];
  for (const size of SHARE_BYTES) {
    sizes.push(
      (await cipher.encrypt(new Uint8Array(size).fill(1), { ewi: 'wallet-0123456789' })).length,
    );
  }
  await cipher.close();

  return `| ${mode} | ${sizes.join(' | ')} |`;
}

function printTable(title: string, header: readonly string[], rows: readonly string[]): void {
  console.log(`\n### ${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) {
    console.log(row);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
