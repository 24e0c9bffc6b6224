/**
 * Compares the provider with a bare pkcs11js loop doing the same AES-GCM
 * operations on SoftHSM2 in the same run, and measures the event-loop delay
 * during a 200-operation burst. Prints a markdown table. Run: npm run bench.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import * as pkcs11js from 'pkcs11js';

import { concatBytes, encodeEncryptionContext } from '@split-kms/core';
import { createSoftHsmToken, removeSoftHsmDirectory } from '@split-kms/testing/softhsm';

import { Pkcs11KeyShareCipher, type Pkcs11KeyShareCipherOptions } from '../src';
import { createKey, openAdminSession } from '../src/key-admin';
import { gcmMechanism } from '../src/gcm';

const OPERATIONS = 2000;
const CONCURRENCY = 64;
const POOL_SIZE = 4;
const BURST = 200;
const BURST_ROUNDS = 10;
const PLAINTEXT = randomBytes(64);
const CONTEXT = { ewi: 'wallet-bench' };

interface Row {
  readonly path: string;
  readonly encrypt: number;
  readonly decrypt: number;
}

async function main(): Promise<void> {
  const token = createSoftHsmToken();
  const options = {
    libraryPath: token.libraryPath,
    tokenLabel: token.label,
    pin: token.userPin,
    keyLabel: 'bench',
  };
  const admin = openAdminSession(options);
  createKey(admin, 'bench');
  admin.close();

  const bare = openBareSessions(token.libraryPath, token.label, token.userPin);
  const rows: Row[] = [await bareSync(bare), await bareAsync(bare)];
  const bursts: BurstRow[] = [];

  for (const setting of SETTINGS) {
    const cipher = await Pkcs11KeyShareCipher.connect({
      ...options,
      ...setting.options,
      poolSize: POOL_SIZE,
    });
    await cipher.encrypt(PLAINTEXT, CONTEXT);
    rows.push(
      await provider(cipher, 1, `provider, ${setting.name}, sequential`),
      await provider(cipher, CONCURRENCY, `provider, ${setting.name}, ${CONCURRENCY} concurrent`),
    );
    bursts.push(await burstDelay(cipher, setting.name));
    await cipher.close();
  }

  removeSoftHsmDirectory();
  print(rows, bursts);
}

/** The provider settings compared: the default, and those for an in-process library. */
const SETTINGS: readonly { name: string; options: Partial<Pkcs11KeyShareCipherOptions> }[] = [
  { name: 'callMode async', options: {} },
  { name: 'callMode sync', options: { callMode: 'sync' } },
  {
    name: 'callMode sync, sessionKeyCopies',
    options: { callMode: 'sync', sessionKeyCopies: true },
  },
];

interface BurstRow {
  readonly setting: string;
  readonly burst: Delay;
  /** The same time with nothing to do: what the machine itself adds. */
  readonly idle: Delay;
}

async function burstDelay(cipher: Pkcs11KeyShareCipher, setting: string): Promise<BurstRow> {
  const started = performance.now();
  const burst = await eventLoopDelay(async () => {
    for (let round = 0; round < BURST_ROUNDS; round += 1) {
      await Promise.all(
        Array.from({ length: BURST }, async () =>
          cipher.decrypt(await cipher.encrypt(PLAINTEXT, CONTEXT), CONTEXT),
        ),
      );
    }
  });
  const idle = await eventLoopDelay(
    async () => new Promise((resolve) => setTimeout(resolve, performance.now() - started)),
  );

  return { setting, burst, idle };
}

interface BareSessions {
  readonly library: pkcs11js.PKCS11;
  readonly sessions: Buffer[];
  readonly key: Buffer;
}

function openBareSessions(libraryPath: string, tokenLabel: string, pin: string): BareSessions {
  const library = new pkcs11js.PKCS11();
  library.load(libraryPath);
  const slot = library
    .C_GetSlotList(true)
    .find((handle) => library.C_GetTokenInfo(handle).label.trim() === tokenLabel)!;
  const sessions = Array.from({ length: POOL_SIZE }, () =>
    library.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION),
  );
  try {
    library.C_Login(sessions[0]!, pkcs11js.CKU_USER, pin);
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
      throw error;
    }
  }

  library.C_FindObjectsInit(sessions[0]!, [{ type: pkcs11js.CKA_LABEL, value: 'bench' }]);
  const key = library.C_FindObjects(sessions[0]!)!;
  library.C_FindObjectsFinal(sessions[0]!);

  return { library, sessions, key };
}

/** The same AAD size as the provider's: a header and the canonical context. */
const AAD = Buffer.from(concatBytes([randomBytes(30), encodeEncryptionContext(CONTEXT)]));

function bareEncryptSync(bare: BareSessions, index: number): Buffer {
  const session = bare.sessions[index % POOL_SIZE]!;
  const iv = randomBytes(12);
  bare.library.C_EncryptInit(session, gcmMechanism(pkcs11js.CKM_AES_GCM, iv, AAD), bare.key);

  return Buffer.concat([
    iv,
    bare.library.C_Encrypt(session, PLAINTEXT, Buffer.alloc(PLAINTEXT.length + 16)),
  ]);
}

function bareDecryptSync(bare: BareSessions, index: number, ciphertext: Buffer): Buffer {
  const session = bare.sessions[index % POOL_SIZE]!;
  bare.library.C_DecryptInit(
    session,
    gcmMechanism(pkcs11js.CKM_AES_GCM, ciphertext.subarray(0, 12), AAD),
    bare.key,
  );

  return bare.library.C_Decrypt(session, ciphertext.subarray(12), Buffer.alloc(ciphertext.length));
}

async function bareSync(bare: BareSessions): Promise<Row> {
  const ciphertexts: Buffer[] = [];
  const encrypt = await opsPerSecond(async () => {
    for (let index = 0; index < OPERATIONS; index += 1) {
      ciphertexts.push(bareEncryptSync(bare, 0));
    }
  });
  const decrypt = await opsPerSecond(async () => {
    ciphertexts.forEach((ciphertext) => bareDecryptSync(bare, 0, ciphertext));
  });

  return { path: 'bare pkcs11js, synchronous C_Encrypt, 1 session', encrypt, decrypt };
}

async function bareAsync(bare: BareSessions): Promise<Row> {
  const ciphertexts: Buffer[] = [];
  const run = async (step: (session: number, index: number) => Promise<void>): Promise<void> => {
    await Promise.all(
      bare.sessions.map(async (_, session) => {
        for (let index = session; index < OPERATIONS; index += POOL_SIZE) {
          await step(session, index);
        }
      }),
    );
  };

  const encrypt = await opsPerSecond(async () =>
    run(async (session, index) => {
      const handle = bare.sessions[session]!;
      const iv = randomBytes(12);
      bare.library.C_EncryptInit(handle, gcmMechanism(pkcs11js.CKM_AES_GCM, iv, AAD), bare.key);
      const body = await bare.library.C_EncryptAsync(
        handle,
        PLAINTEXT,
        Buffer.alloc(PLAINTEXT.length + 16),
      );
      ciphertexts[index] = Buffer.concat([iv, body]);
    }),
  );
  const decrypt = await opsPerSecond(async () =>
    run(async (session, index) => {
      const handle = bare.sessions[session]!;
      const ciphertext = ciphertexts[index]!;
      bare.library.C_DecryptInit(
        handle,
        gcmMechanism(pkcs11js.CKM_AES_GCM, ciphertext.subarray(0, 12), AAD),
        bare.key,
      );
      await bare.library.C_DecryptAsync(
        handle,
        ciphertext.subarray(12),
        Buffer.alloc(ciphertext.length),
      );
    }),
  );

  return { path: `bare pkcs11js, C_EncryptAsync, ${POOL_SIZE} sessions`, encrypt, decrypt };
}

async function provider(
  cipher: Pkcs11KeyShareCipher,
  concurrency: number,
  path: string,
): Promise<Row> {
  const ciphertexts: Uint8Array[] = [];
  const run = async (step: (index: number) => Promise<void>): Promise<void> => {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, lane) => {
        for (let index = lane; index < OPERATIONS; index += concurrency) {
          await step(index);
        }
      }),
    );
  };

  const encrypt = await opsPerSecond(async () =>
    run(async (index) => {
      ciphertexts[index] = await cipher.encrypt(PLAINTEXT, CONTEXT);
    }),
  );
  const decrypt = await opsPerSecond(async () =>
    run(async (index) => {
      await cipher.decrypt(ciphertexts[index]!, CONTEXT);
    }),
  );

  return { path, encrypt, decrypt };
}

async function opsPerSecond(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();

  return OPERATIONS / ((performance.now() - start) / 1000);
}

interface Delay {
  readonly p99: number;
  readonly max: number;
}

async function eventLoopDelay(work: () => Promise<unknown>): Promise<Delay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await work();
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();

  return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

function print(rows: readonly Row[], bursts: readonly BurstRow[]): void {
  const lines = [
    `SoftHSM2, AES-256-GCM, ${PLAINTEXT.length}-byte plaintexts, ${OPERATIONS} operations per cell, ` +
      `pool of ${POOL_SIZE} sessions, Node.js ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}).`,
    '',
    '| path | encrypt ops/s | decrypt ops/s |',
    '| --- | ---: | ---: |',
    ...rows.map((row) => `| ${row.path} | ${row.encrypt.toFixed(0)} | ${row.decrypt.toFixed(0)} |`),
    '',
    `| event-loop delay, ${BURST_ROUNDS} bursts of ${BURST} concurrent encrypt+decrypt | p99 (ms) | max (ms) | idle p99 (ms) | idle max (ms) |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...bursts.map(
      ({ setting, burst, idle }) =>
        `| provider, ${setting} | ${burst.p99.toFixed(2)} | ${burst.max.toFixed(2)} | ${idle.p99.toFixed(2)} | ${idle.max.toFixed(2)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
