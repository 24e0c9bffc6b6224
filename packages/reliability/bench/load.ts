import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { API_HANDLER, buildServiceContainer, DISABLED_METRICS } from '@split-kms/api-lambda';
import { KEY_SHARE_CIPHER, type KeyShareCipher } from '@split-kms/core';
import { TestJwksServer } from '@split-kms/testing/jwks';
import { createLocalJWKSet, jwtVerify } from 'jose';

import {
  decryptShares,
  encryptShares,
  prepareShares,
  type LoadOutcome,
  type LoadShare,
} from '../test/support/load-runner';
import { startProviderFixture, type ProviderKind } from '../test/support/providers';
import { cpuTimeBetween, readCpuTime } from './cpu-time';

/*
 * Load bench of the local Node server, one provider at a time: the server
 * runs in a child process and autocannon in this one, on 127.0.0.1. Each
 * round sends BENCH_REQUESTS encrypts and then as many decrypts, each with its
 * own wallet id, token and plaintext, and checks every response. The rounds
 * run at 50, 200 and again 50 connections, and the server's resident memory
 * is read after each. Beside them, the same run's bound: bare jose jwtVerify
 * plus the bare provider call in this process, 50 in flight.
 * Prints markdown tables. The server inherits this process's environment, so
 * JWT_CACHE_MAX_ENTRIES=0 measures it without the verification cache.
 */

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 10_000);
const KMS_REQUESTS = Number(process.env['BENCH_KMS_REQUESTS'] ?? REQUESTS);
const BOUND_OPERATIONS = Number(process.env['BENCH_BOUND_OPERATIONS'] ?? 5000);
/** Requests per operation before the measured rounds, so V8 has compiled the hot paths. */
const WARM_UP_REQUESTS = Number(process.env['BENCH_WARM_UP_REQUESTS'] ?? 3000);
const ROUNDS = [50, 200, 50] as const;
const PROVIDERS = (
  process.env['BENCH_PROVIDERS'] ?? 'software,pkcs11,pkcs11-in-process,aws-kms-direct'
).split(',') as ProviderKind[];

/** CPU time per request, in microseconds. */
interface CpuPerRequest {
  readonly serverMainUs: number;
  readonly serverOtherUs: number;
  readonly generatorUs: number;
}

interface Measured {
  readonly outcome: LoadOutcome;
  readonly cpu: CpuPerRequest;
}

interface RoundResult {
  readonly provider: ProviderKind;
  readonly connections: number;
  readonly encrypt: Measured;
  readonly decrypt: Measured;
  readonly rssMiB: number;
}

interface BoundResult {
  readonly provider: ProviderKind;
  readonly encryptPerSecond: number;
  readonly decryptPerSecond: number;
}

async function main(): Promise<void> {
  const jwks = await TestJwksServer.start();
  const rounds: RoundResult[] = [];
  const bounds: BoundResult[] = [];
  const startRss: Record<string, number> = {};

  try {
    for (const provider of PROVIDERS) {
      const count = provider.startsWith('aws-kms') ? KMS_REQUESTS : REQUESTS;
      const shares = await prepareShares(jwks.currentKey, count, provider);
      const fixture = await startProviderFixture(provider);
      const env = { ...fixture.env, JWKS_URL: jwks.url, JWKS_COOLDOWN_SECONDS: '0' };

      try {
        bounds.push(await measureBound(provider, env, fixture.directory, jwks, shares));
        const server = await startServer(env);
        try {
          await warmUp(server.url, jwks);
          startRss[provider] = residentMiB(server.child);
          for (const [index, connections] of ROUNDS.entries()) {
            const roundShares = await prepareShares(
              jwks.currentKey,
              count,
              `${provider}-round-${index}`,
            );
            rounds.push(await runRound(provider, server, roundShares, connections));
            process.stderr.write(`${provider} at ${connections} connections done\n`);
          }
        } finally {
          await stopServer(server.child);
        }
      } finally {
        await fixture.close();
      }
    }
  } finally {
    await jwks.stop();
  }

  printTables(rounds, bounds, startRss);
}

/**
 * Runs one round with fresh tokens: each encrypt verifies a token not seen
 * before, and each decrypt reuses its share's token, as a wallet session does,
 * so with the verification cache on, the decrypts skip the signature check.
 */
async function runRound(
  provider: ProviderKind,
  server: BenchServer,
  shares: LoadShare[],
  connections: number,
): Promise<RoundResult> {
  const pid = server.child.pid!;
  const encrypt = await measureCpu(pid, async () => encryptShares(server.url, shares, connections));
  const decrypt = await measureCpu(pid, async () => decryptShares(server.url, shares, connections));
  checkClean(`${provider} encrypt at ${connections}`, encrypt.outcome, shares.length);
  checkClean(`${provider} decrypt at ${connections}`, decrypt.outcome, shares.length);

  return { provider, connections, encrypt, decrypt, rssMiB: residentMiB(server.child) };
}

/** Runs one load run and reads the CPU time the server and this process spent per request. */
async function measureCpu(pid: number, run: () => Promise<LoadOutcome>): Promise<Measured> {
  const serverBefore = readCpuTime(pid);
  const generatorBefore = process.cpuUsage();
  const outcome = await run();
  const generator = process.cpuUsage(generatorBefore);
  const server = cpuTimeBetween(serverBefore, readCpuTime(pid));
  const perRequest = (ms: number): number => (ms * 1000) / outcome.requests;

  return {
    outcome,
    cpu: {
      serverMainUs: perRequest(server.mainMs),
      serverOtherUs: perRequest(server.otherMs),
      generatorUs: (generator.user + generator.system) / outcome.requests,
    },
  };
}

function checkClean(label: string, outcome: LoadOutcome, requests: number): void {
  const failed =
    outcome.requests !== requests ||
    outcome.errors + outcome.timeouts + outcome.non2xx + outcome.mismatches > 0;
  if (failed) {
    throw new Error(`${label} was not clean: ${JSON.stringify(outcome)}`);
  }
}

interface BenchServer {
  readonly url: string;
  readonly child: ChildProcess;
}

async function startServer(env: Record<string, string | undefined>): Promise<BenchServer> {
  const child = fork(join(__dirname, 'serve.ts'), [], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, TSX_TSCONFIG_PATH: join(__dirname, '..', 'tsconfig.json'), ...env },
    execArgv: ['--import', 'tsx', ...profileArguments()],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`The bench server exited with status ${String(code)}.`);
    }),
  ])) as [{ url: string }];

  return { url: message.url, child };
}

/** `--cpu-prof` arguments when BENCH_CPU_PROFILE_DIR names a directory for the server's profiles. */
function profileArguments(): string[] {
  const directory = process.env['BENCH_CPU_PROFILE_DIR'];

  return directory === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', directory];
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}

async function warmUp(url: string, jwks: TestJwksServer): Promise<void> {
  const shares = await prepareShares(jwks.currentKey, WARM_UP_REQUESTS, 'warm-up');
  await encryptShares(url, shares, 50);
  await decryptShares(url, shares, 50);
}

/** Reads the child's resident set size from /proc, in MiB. */
function residentMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/u.exec(status)?.[1] ?? Number.NaN);

  return kib / 1024;
}

/** Bare jwtVerify plus the provider's own encrypt or decrypt, 50 in flight, in this process. */
async function measureBound(
  provider: ProviderKind,
  env: Record<string, string | undefined>,
  directory: string,
  jwks: TestJwksServer,
  shares: readonly LoadShare[],
): Promise<BoundResult> {
  const container = await buildServiceContainer({
    mode: 'lambda',
    env,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: DISABLED_METRICS,
    workingDirectory: directory,
  });
  container.resolve(API_HANDLER);
  const cipher = container.resolve<KeyShareCipher>(KEY_SHARE_CIPHER);
  const keySet = createLocalJWKSet(jwks.jwks);
  const sample = shares.slice(0, Math.min(BOUND_OPERATIONS, shares.length));
  const ciphertexts: Uint8Array[] = [];

  const encryptPerSecond = await measureRate(sample, async (share, index) => {
    const { payload } = await jwtVerify(share.token, keySet, { algorithms: ['RS256'] });
    ciphertexts[index] = await cipher.encrypt(Buffer.from(share.plaintext), {
      ewi: payload['ewi'] as string,
    });
  });
  const decryptPerSecond = await measureRate(sample, async (share, index) => {
    const { payload } = await jwtVerify(share.token, keySet, { algorithms: ['RS256'] });
    await cipher.decrypt(ciphertexts[index]!, { ewi: payload['ewi'] as string });
  });
  await cipher.close?.();

  return { provider, encryptPerSecond, decryptPerSecond };
}

async function measureRate(
  shares: readonly LoadShare[],
  operation: (share: LoadShare, index: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < shares.length) {
      const index = next;
      next += 1;
      await operation(shares[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));

  return shares.length / ((performance.now() - started) / 1000);
}

function printTables(
  rounds: readonly RoundResult[],
  bounds: readonly BoundResult[],
  startRss: Record<string, number>,
): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Load bench: ${cpus().length} × ${cpu}, Node.js ${process.version}\n`);
  console.log(
    '| provider | connections | operation | requests | req/s | p50 ms | p99 ms | failures | server CPU µs/req: main thread | other threads | load generator CPU µs/req |',
  );
  console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const round of rounds) {
    for (const [operation, { outcome, cpu }] of [
      ['encrypt', round.encrypt],
      ['decrypt', round.decrypt],
    ] as const) {
      const failures = outcome.errors + outcome.timeouts + outcome.non2xx + outcome.mismatches;
      console.log(
        `| ${round.provider} | ${round.connections} | ${operation} | ${outcome.requests} | ${outcome.requestsPerSecond.toFixed(0)} | ${outcome.latencyP50Ms} | ${outcome.latencyP99Ms} | ${failures} | ${cpu.serverMainUs.toFixed(0)} | ${cpu.serverOtherUs.toFixed(0)} | ${cpu.generatorUs.toFixed(0)} |`,
      );
    }
  }

  console.log(
    '\n| provider | bound: jwtVerify + encrypt, ops/s | bound: jwtVerify + decrypt, ops/s |',
  );
  console.log('| --- | ---: | ---: |');
  for (const bound of bounds) {
    console.log(
      `| ${bound.provider} | ${bound.encryptPerSecond.toFixed(0)} | ${bound.decryptPerSecond.toFixed(0)} |`,
    );
  }

  console.log('\n| provider | RSS after warm-up MiB | after each round MiB |');
  console.log('| --- | ---: | --- |');
  for (const provider of Object.keys(startRss)) {
    const after = rounds
      .filter((round) => round.provider === provider)
      .map((round) => round.rssMiB.toFixed(0))
      .join(', ');
    console.log(`| ${provider} | ${startRss[provider]!.toFixed(0)} | ${after} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
