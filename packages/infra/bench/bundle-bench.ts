import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { API_LAMBDA_ENTRY } from '../src/paths';
import { synthesizeFunctionBundle } from './function-bundle';

/*
 * Measures the deployed bundle of each variant: its size, and the time a
 * fresh Node process takes to `require` it, beside the time to require the
 * same handler from its TypeScript sources through tsx. Prints a markdown table.
 * Run: npm run bench -w @split-kms/infra
 */

const RUNS = 10;

const HSM_CONTEXT = {
  key_share_cipher: 'pkcs11',
  hsm_vpc_id: 'vpc-0123456789abcdef0',
  hsm_subnet_ids: 'subnet-0123456789abcdef0',
  hsm_cluster_security_group_id: 'sg-0123456789abcdef0',
  hsm_layer_arn: 'arn:aws:lambda:eu-west-1:123456789012:layer:cloudhsm-pkcs11:1',
  hsm_pin_secret_arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pin-AbCdEf',
  hsm_key_label: 'bench',
};

/** Environment of a deployed function, without network access: loading the module makes no call. */
const LOAD_ENVIRONMENT = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  KEY_SHARE_CIPHER: 'aws-kms',
  DKMS_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

/** Prints the milliseconds that `require` of argv[1] takes in this process. */
const TIMED_REQUIRE = `
const start = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));
`;

interface Row {
  readonly name: string;
  readonly bytes: number | undefined;
  readonly loadMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeRequire(modulePath: string, nodeArgs: readonly string[], cwd: string): number {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const child = spawnSync(process.execPath, [...nodeArgs, '-e', TIMED_REQUIRE, modulePath], {
      cwd,
      encoding: 'utf8',
      env: LOAD_ENVIRONMENT,
      timeout: 60_000,
    });
    if (child.status !== 0) {
      throw new Error(`Loading ${modulePath} failed:\n${child.stderr}`);
    }
    samples.push(Number(child.stdout));
  }

  return median(samples);
}

function folderBytes(folder: string): number {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.map'))
    .reduce((total, entry) => total + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

function measureBundle(name: string, bundleDir: string, nodeArgs: readonly string[] = []): Row {
  return {
    name,
    bytes: folderBytes(bundleDir),
    loadMs: timeRequire(path.join(bundleDir, 'index.js'), nodeArgs, bundleDir),
  };
}

function formatRow(row: Row, baselineMs: number): string {
  const size = row.bytes === undefined ? 'n/a' : `${(row.bytes / 1024).toFixed(1)} KiB`;
  const speedup = (baselineMs / row.loadMs).toFixed(1);

  return `| ${row.name} | ${size} | ${row.loadMs.toFixed(1)} | ${speedup}x |`;
}

function main(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'split-kms-bench-'));
  try {
    const kmsDir = synthesizeFunctionBundle({}, path.join(outdir, 'kms'));
    const hsmDir = synthesizeFunctionBundle(HSM_CONTEXT, path.join(outdir, 'hsm'));
    const kms = measureBundle('KMS variant bundle (index.js)', kmsDir);
    // The function runs with NODE_OPTIONS=--enable-source-maps, which reads the source map at load time.
    const kmsWithMaps = measureBundle('KMS variant bundle with --enable-source-maps', kmsDir, [
      '--enable-source-maps',
    ]);
    const hsm = measureBundle('CloudHSM variant bundle (index.js + pkcs11js)', hsmDir);
    const sources: Row = {
      name: 'Unbundled sources through tsx',
      bytes: undefined,
      loadMs: timeRequire(
        API_LAMBDA_ENTRY,
        ['--import', 'tsx'],
        path.dirname(path.dirname(API_LAMBDA_ENTRY)),
      ),
    };

    console.log(
      `Median of ${RUNS} fresh Node ${process.version} processes on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}.`,
    );
    console.log(
      'Sizes exclude source maps. Load time is the `require` of the handler module, without any invocation.\n',
    );
    console.log('| artifact | size | load ms | faster than sources |');
    console.log('| --- | --- | --- | --- |');
    for (const row of [kms, kmsWithMaps, hsm, sources]) {
      console.log(formatRow(row, sources.loadMs));
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main();
