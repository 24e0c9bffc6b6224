import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { encodeEncryptionContext } from '@split-kms/core';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
} from 'jose';
import * as pkcs11js from 'pkcs11js';
import { createKey, openAdminSession } from '@split-kms/provider-pkcs11-hsm';
import { createSoftHsmToken } from '@split-kms/testing/softhsm';
import { Bench } from 'tinybench';

import { buildServiceContainer } from '../src/composition/container';
import { API_HANDLER } from '../src/composition/tokens';
import type { ApiHandler, ApiRequest } from '../src/http/types';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';

/*
 * Measures requests per second of the in-process handler: JWT verification, routing, body
 * parsing, the provider and audit logging with output off. The bound beside it, in the same
 * run, is bare jose jwtVerify plus the bare cipher operation. That is node:crypto
 * AES-256-GCM for the software provider, and one synchronous pkcs11js C_Encrypt or
 * C_Decrypt on SoftHSM2 for the PKCS#11 provider. Prints markdown tables.
 */

const BENCH_TIME_MS = Number(process.env['BENCH_TIME_MS'] ?? 1000);
// Rounds alternate the handler and its bound, and the median of each is kept, so a burst of
// load from another process on this shared machine skews both sides alike.
const BENCH_ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
// Requests in flight at once in the concurrent measurement, as a busy server has.
const IN_FLIGHT = 16;
const SHARE = 'a'.repeat(88); // a 64-byte Shamir share, base64 encoded as the vendor sends it
const CONTEXT = { ewi: 'wallet-bench' };

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'split-kms-bench-'));
  try {
    const signing = await signingSetup();
    const software = await prepareHandler(directory, signing, {
      KEY_SHARE_CIPHER: 'software',
      SOFTWARE_KEY_FILE: join(directory, 'keys.json'),
    });
    const aes = { label: 'bare AES-256-GCM', ...bareAesGcm() };
    const hsm = await prepareSoftHsm();
    const pkcs11 = await prepareHandler(directory, signing, hsm.env);
    const hsmBare = { label: 'bare pkcs11js', ...hsm };

    const rounds: Row[][] = [];
    for (let round = 0; round < BENCH_ROUNDS; round += 1) {
      const bench = new Bench({ time: BENCH_TIME_MS, warmupTime: 200 });
      addPair(bench, 'software', software, signing, aes);
      addPair(bench, 'pkcs11 (SoftHSM2)', pkcs11, signing, hsmBare);
      await bench.run();
      const sequential = rowsOf(bench);
      const concurrent = [
        await measureInFlight(
          'handler, software: POST /encrypt',
          software,
          software.encryptRequest,
        ),
        await measureInFlight(
          'handler, software: POST /decrypt',
          software,
          software.decryptRequest,
        ),
        await measureInFlight(
          'handler, pkcs11 (SoftHSM2): POST /encrypt',
          pkcs11,
          pkcs11.encryptRequest,
        ),
        await measureInFlight(
          'handler, pkcs11 (SoftHSM2): POST /decrypt',
          pkcs11,
          pkcs11.decryptRequest,
        ),
      ];
      rounds.push([...sequential, ...concurrent]);
    }
    printTable(medianRows(rounds));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

interface SigningSetup {
  readonly token: string;
  readonly jwks: JSONWebKeySet;
  readonly verify: () => Promise<void>;
}

interface HandlerSetup {
  readonly handle: ApiHandler;
  readonly encryptRequest: ApiRequest;
  readonly decryptRequest: ApiRequest;
}

interface BareOperations {
  readonly label: string;
  readonly encrypt: () => void;
  readonly decrypt: () => void;
}

async function signingSetup(): Promise<SigningSetup> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwks = { keys: [jwk] };
  const token = await new SignJWT({ ewi: CONTEXT.ewi })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  const keySet = createLocalJWKSet(jwks);

  return {
    token,
    jwks,
    verify: async () => {
      await jwtVerify(token, keySet, { algorithms: ['RS256'] });
    },
  };
}

async function prepareHandler(
  directory: string,
  signing: SigningSetup,
  env: Record<string, string>,
): Promise<HandlerSetup> {
  const container = await buildServiceContainer({
    mode: 'local',
    // Every request carries the same token, so the verification cache would skip RS256 on all
    // but the first. It is off, because the bound verifies every time.
    env: { ...env, JWT_CACHE_MAX_ENTRIES: '0' },
    developmentJwks: signing.jwks,
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    metrics: DISABLED_METRICS,
    workingDirectory: directory,
  });
  const handle = container.resolve<ApiHandler>(API_HANDLER);
  const headers = { authorization: `Bearer ${signing.token}`, 'content-type': 'application/json' };
  const encryptRequest: ApiRequest = {
    method: 'POST',
    path: '/encrypt',
    headers,
    body: JSON.stringify({ plaintext: SHARE }),
  };
  const encrypted = JSON.parse((await handle(encryptRequest)).body) as {
    data: { ciphertext: string };
  };
  const decryptRequest: ApiRequest = {
    method: 'POST',
    path: '/decrypt',
    headers,
    body: JSON.stringify({ ciphertext: encrypted.data.ciphertext }),
  };

  return { handle, encryptRequest, decryptRequest };
}

function addPair(
  bench: Bench,
  provider: string,
  setup: HandlerSetup,
  signing: SigningSetup,
  bare: BareOperations,
): void {
  bench.add(`handler, ${provider}: POST /encrypt`, async () =>
    expectOk(await setup.handle(setup.encryptRequest)),
  );
  bench.add(`bound, ${provider}: jwtVerify + ${bare.label} encrypt`, async () => {
    await signing.verify();
    bare.encrypt();
  });
  bench.add(`handler, ${provider}: POST /decrypt`, async () =>
    expectOk(await setup.handle(setup.decryptRequest)),
  );
  bench.add(`bound, ${provider}: jwtVerify + ${bare.label} decrypt`, async () => {
    await signing.verify();
    bare.decrypt();
  });
}

function bareAesGcm(): { encrypt: () => void; decrypt: () => void } {
  const key = randomBytes(32);
  const aad = encodeEncryptionContext(CONTEXT);
  const plaintext = Buffer.from(SHARE, 'utf8');

  const encryptOnce = (): { iv: Buffer; body: Buffer; tag: Buffer } => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);

    return { iv, body, tag: cipher.getAuthTag() };
  };
  const sample = encryptOnce();

  return {
    encrypt: () => void encryptOnce(),
    decrypt: () => {
      const decipher = createDecipheriv('aes-256-gcm', key, sample.iv).setAAD(aad);
      decipher.setAuthTag(sample.tag);
      Buffer.concat([decipher.update(sample.body), decipher.final()]);
    },
  };
}

function expectOk(response: { statusCode: number }): void {
  if (response.statusCode !== 200) {
    throw new Error(`Handler returned status ${response.statusCode}`);
  }
}

async function prepareSoftHsm(): Promise<{
  env: Record<string, string>;
  encrypt: () => void;
  decrypt: () => void;
}> {
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

  const library = new pkcs11js.PKCS11();
  library.load(token.libraryPath);
  try {
    library.C_Initialize();
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      throw error;
    }
  }
  const slot = library
    .C_GetSlotList(true)
    .find((handle) => library.C_GetTokenInfo(handle).label.trim() === token.label)!;
  const session = library.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  try {
    library.C_Login(session, pkcs11js.CKU_USER, token.userPin);
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
      throw error;
    }
  }
  library.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: 'bench' }]);
  const key = library.C_FindObjects(session)!;
  library.C_FindObjectsFinal(session);

  const plaintext = Buffer.from(SHARE, 'utf8');
  const aad = Buffer.from(encodeEncryptionContext(CONTEXT));
  const mechanism = (iv: Buffer): pkcs11js.Mechanism => ({
    mechanism: pkcs11js.CKM_AES_GCM,
    parameter: {
      type: pkcs11js.CK_PARAMS_GCM,
      iv,
      ivBits: 96,
      aad,
      tagBits: 128,
    } as pkcs11js.GcmParams,
  });
  const encryptOnce = (iv: Buffer): Buffer => {
    library.C_EncryptInit(session, mechanism(iv), key);
    return Buffer.from(library.C_Encrypt(session, plaintext, Buffer.alloc(plaintext.length + 16)));
  };
  const sampleIv = randomBytes(12);
  const sample = encryptOnce(sampleIv);

  return {
    env: {
      KEY_SHARE_CIPHER: 'pkcs11',
      PKCS11_LIBRARY: token.libraryPath,
      PKCS11_TOKEN_LABEL: token.label,
      PKCS11_PIN: token.userPin,
      PKCS11_KEY_LABEL: 'bench',
    },
    encrypt: () => void encryptOnce(randomBytes(12)),
    decrypt: () => {
      library.C_DecryptInit(session, mechanism(sampleIv), key);
      library.C_Decrypt(session, sample, Buffer.alloc(sample.length));
    },
  };
}

interface Row {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
}

function rowsOf(bench: Bench): Row[] {
  return bench.tasks.map((task) => {
    const result = task.result;
    if (!('throughput' in result)) {
      throw new Error(`Task "${task.name}" did not complete: ${result.state}`);
    }

    return {
      name: task.name,
      opsPerSecond: result.throughput.mean,
      p50: result.latency.p50 ?? 0,
      p99: result.latency.p99 ?? 0,
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianRows(rounds: Row[][]): Row[] {
  return rounds[0]!.map((row, index) => ({
    name: row.name,
    opsPerSecond: median(rounds.map((rows) => rows[index]!.opsPerSecond)),
    p50: median(rounds.map((rows) => rows[index]!.p50)),
    p99: median(rounds.map((rows) => rows[index]!.p99)),
  }));
}

/**
 * Runs `IN_FLIGHT` request loops at once for `BENCH_TIME_MS` and returns the
 * completed requests per second. The PKCS#11 provider runs its HSM calls on
 * libuv's thread pool, so only concurrent requests show what the handler
 * sustains while the event loop is free.
 */
async function measureInFlight(
  name: string,
  setup: HandlerSetup,
  request: ApiRequest,
): Promise<Row> {
  const deadline = performance.now() + BENCH_TIME_MS;
  let completed = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      expectOk(await setup.handle(request));
      completed += 1;
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  const seconds = (performance.now() - started) / 1000;

  return {
    name: `${name}, ${IN_FLIGHT} in flight`,
    opsPerSecond: completed / seconds,
    p50: Number.NaN,
    p99: Number.NaN,
  };
}

function printTable(allRows: Row[]): void {
  const rows = allRows.slice(0, 8);
  console.log(
    `Node.js ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, median of ${BENCH_ROUNDS} rounds of ${BENCH_TIME_MS} ms per task\n`,
  );
  console.log('One request at a time:\n');
  console.log('| task | requests/s | p50 ms | p99 ms | handler / bound |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [index, row] of rows.entries()) {
    const bound = index % 2 === 0 ? rows[index + 1] : undefined;
    const ratio =
      bound === undefined ? '' : `${((row.opsPerSecond / bound.opsPerSecond) * 100).toFixed(0)} %`;
    console.log(
      `| ${row.name} | ${row.opsPerSecond.toFixed(0)} | ${row.p50.toFixed(3)} | ${row.p99.toFixed(3)} | ${ratio} |`,
    );
  }

  console.log(`\n${IN_FLIGHT} requests in flight, against the same one-at-a-time bounds:\n`);
  console.log('| task | requests/s | handler / bound |');
  console.log('| --- | ---: | ---: |');
  for (const [index, row] of allRows.slice(8).entries()) {
    const bound = rows[index * 2 + 1]!;
    console.log(
      `| ${row.name} | ${row.opsPerSecond.toFixed(0)} | ${((row.opsPerSecond / bound.opsPerSecond) * 100).toFixed(0)} % |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`The benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
