import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { encodeEncryptionContext } from '@split-kms/core';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { Bench } from 'tinybench';

import { buildServiceContainer } from '../src/composition/container';
import { API_HANDLER } from '../src/composition/tokens';
import type { ApiHandler, ApiRequest } from '../src/http/types';
import { DISABLED_METRICS } from '../src/metrics/request-metrics';

/*
 * Requests per second of the in-process handler (JWT verification, routing,
 * body parsing, the software provider, audit logging with output off) beside
 * the same run's bound: bare jose jwtVerify plus bare node:crypto AES-256-GCM.
 * Prints a markdown table; docs/benchmarks.md records the results.
 */

const BENCH_TIME_MS = Number(process.env['BENCH_TIME_MS'] ?? 3000);
const SHARE = 'a'.repeat(88); // a 64-byte Shamir share, base64 encoded as the vendor sends it
const CONTEXT = { ewi: 'wallet-bench' };

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'split-kms-bench-'));
  try {
    const setup = await prepare(directory);
    const bench = new Bench({ time: BENCH_TIME_MS, warmupTime: 500 });

    bench.add('handler: POST /encrypt', async () =>
      expectOk(await setup.handle(setup.encryptRequest)),
    );
    bench.add('bound: jwtVerify + AES-GCM encrypt', async () => {
      await setup.verify();
      setup.bareEncrypt();
    });
    bench.add('handler: POST /decrypt', async () =>
      expectOk(await setup.handle(setup.decryptRequest)),
    );
    bench.add('bound: jwtVerify + AES-GCM decrypt', async () => {
      await setup.verify();
      setup.bareDecrypt();
    });

    await bench.run();
    printTable(bench);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function prepare(directory: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwks = { keys: [jwk] };
  const token = await new SignJWT({ ewi: CONTEXT.ewi })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

  const container = await buildServiceContainer({
    mode: 'local',
    env: { KEY_SHARE_CIPHER: 'software', SOFTWARE_KEY_FILE: join(directory, 'keys.json') },
    developmentJwks: jwks,
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    metrics: DISABLED_METRICS,
    workingDirectory: directory,
  });
  const handle = container.resolve<ApiHandler>(API_HANDLER);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
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

  return { handle, encryptRequest, decryptRequest, ...bareOperations(token, jwks) };
}

function bareOperations(token: string, jwks: Parameters<typeof createLocalJWKSet>[0]) {
  const keySet = createLocalJWKSet(jwks);
  const key = randomBytes(32);
  const aad = encodeEncryptionContext(CONTEXT);
  const plaintext = Buffer.from(SHARE, 'utf8');

  const bareEncrypt = (): { iv: Buffer; body: Buffer; tag: Buffer } => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);

    return { iv, body, tag: cipher.getAuthTag() };
  };
  const sample = bareEncrypt();
  const bareDecrypt = (): Buffer => {
    const decipher = createDecipheriv('aes-256-gcm', key, sample.iv).setAAD(aad);
    decipher.setAuthTag(sample.tag);

    return Buffer.concat([decipher.update(sample.body), decipher.final()]);
  };
  const verify = async (): Promise<void> => {
    await jwtVerify(token, keySet, { algorithms: ['RS256'] });
  };

  return { bareEncrypt, bareDecrypt, verify };
}

function expectOk(response: { statusCode: number }): void {
  if (response.statusCode !== 200) {
    throw new Error(`Handler answered ${response.statusCode}`);
  }
}

function printTable(bench: Bench): void {
  const rows = bench.tasks.map((task) => {
    const result = task.result;
    if (!('throughput' in result)) {
      throw new Error(`Task "${task.name}" did not complete: ${result.state}`);
    }

    return {
      name: task.name,
      opsPerSecond: result.throughput.mean,
      rme: result.throughput.rme,
      p50: result.latency.p50,
      p99: result.latency.p99,
    };
  });

  console.log(
    `Node.js ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${BENCH_TIME_MS} ms per task\n`,
  );
  console.log('| task | requests/s | ± % | p50 ms | p99 ms | handler / bound |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [index, row] of rows.entries()) {
    const bound = index % 2 === 0 ? rows[index + 1] : undefined;
    const ratio =
      bound === undefined ? '' : `${((row.opsPerSecond / bound.opsPerSecond) * 100).toFixed(0)} %`;
    console.log(
      `| ${row.name} | ${row.opsPerSecond.toFixed(0)} | ${row.rme.toFixed(1)} | ${(row.p50 ?? 0).toFixed(3)} | ${(row.p99 ?? 0).toFixed(3)} | ${ratio} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`The benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
