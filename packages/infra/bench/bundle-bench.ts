import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { API_LAMBDA_ENTRY } from '../src/paths';
import { synthesizeFunctionBundle } from './function-bundle';

/*
 * Measures the deployed bundle of each variant: its size, the time a fresh
 * Node process takes to `require` it, and the time until its first response.
 * The first response is to GET /healthz, which builds the service container
 * and the KMS provider. The baseline is the same handler loaded from its
 * TypeScript sources through tsx. Prints a markdown table.
 * Run: npm run bench -w @split-kms/infra
 */

const RUNS = 20;

const HSM_CONTEXT = {
  key_share_cipher: 'pkcs11',
  hsm_vpc_id: 'vpc-0123456789abcdef0',
  hsm_subnet_ids: 'subnet-0123456789abcdef0',
  hsm_cluster_security_group_id: 'sg-0123456789abcdef0',
  hsm_layer_arn: 'arn:aws:lambda:eu-west-1:123456789012:layer:cloudhsm-pkcs11:1',
  hsm_pin_secret_arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pin-AbCdEf',
  hsm_key_label: 'bench',
};

/**
 * Environment of every measured process. A key ARN costs the KMS provider no
 * call at start-up, and a shallow health check calls no dependency, so no
 * request leaves the process. The CloudHSM bundle runs with this KMS
 * environment too, because a PKCS#11 start-up needs a token.
 */
const ENVIRONMENT = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  KEY_SHARE_CIPHER: 'aws-kms',
  DKMS_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

/**
 * Requires the handler module in argv[1], invokes it once with GET /healthz,
 * and writes both durations in milliseconds to the file in argv[2], because
 * the handler's metrics go to stdout.
 */
const TIMED_START = `
const fs = require('node:fs');
const start = process.hrtime.bigint();
const { handler } = require(process.argv[1]);
const loaded = process.hrtime.bigint();
const event = {
  version: '2.0', routeKey: '$default', rawPath: '/healthz', rawQueryString: '', headers: {},
  requestContext: { http: { method: 'GET', path: '/healthz' }, requestId: 'bench' }, isBase64Encoded: false,
};
handler(event).then((result) => {
  if (result.statusCode !== 200) throw new Error('GET /healthz returned ' + result.statusCode + ': ' + result.body);
  const answered = process.hrtime.bigint();
  fs.writeFileSync(process.argv[2], JSON.stringify({
    loadMs: Number(loaded - start) / 1e6,
    firstResponseMs: Number(answered - start) / 1e6,
  }));
}).catch((error) => { console.error(error); process.exit(1); });
`;

interface Timing {
  readonly loadMs: number;
  readonly firstResponseMs: number;
}

interface Row extends Timing {
  readonly name: string;
  readonly bytes: number | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeOneStart(
  modulePath: string,
  nodeArgs: readonly string[],
  cwd: string,
  resultFile: string,
): Timing {
  const child = spawnSync(
    process.execPath,
    [...nodeArgs, '-e', TIMED_START, modulePath, resultFile],
    {
      cwd,
      encoding: 'utf8',
      env: ENVIRONMENT,
      timeout: 60_000,
    },
  );
  if (child.status !== 0) {
    throw new Error(`Starting ${modulePath} failed:\n${child.stderr}`);
  }

  return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Timing;
}

function timeStarts(
  modulePath: string,
  nodeArgs: readonly string[],
  cwd: string,
  scratch: string,
): Timing {
  const timings: Timing[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    timings.push(timeOneStart(modulePath, nodeArgs, cwd, path.join(scratch, `timing-${run}.json`)));
  }

  return {
    loadMs: median(timings.map((timing) => timing.loadMs)),
    firstResponseMs: median(timings.map((timing) => timing.firstResponseMs)),
  };
}

function folderBytes(folder: string): number {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.map'))
    .reduce((total, entry) => total + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

function measureBundle(
  name: string,
  bundleDir: string,
  scratch: string,
  nodeArgs: readonly string[] = [],
): Row {
  return {
    name,
    bytes: folderBytes(bundleDir),
    ...timeStarts(path.join(bundleDir, 'index.js'), nodeArgs, bundleDir, scratch),
  };
}

function formatRow(row: Row, baseline: Timing): string {
  const size = row.bytes === undefined ? 'n/a' : `${(row.bytes / 1024).toFixed(1)} KiB`;
  const loadSpeedup = (baseline.loadMs / row.loadMs).toFixed(1);
  const firstResponseSpeedup = (baseline.firstResponseMs / row.firstResponseMs).toFixed(1);

  return (
    `| ${row.name} | ${size} | ${row.loadMs.toFixed(1)} (${loadSpeedup}x) ` +
    `| ${row.firstResponseMs.toFixed(1)} (${firstResponseSpeedup}x) |`
  );
}

function printTable(rows: readonly Row[], baseline: Timing): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Median of ${RUNS} fresh Node ${process.version} processes on ${os.cpus().length} × ${cpu}.`,
  );
  console.log('Sizes exclude source maps. Factors compare with the unbundled sources.\n');
  console.log('| artifact | size | require ms | first response ms |');
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) {
    console.log(formatRow(row, baseline));
  }
}

function main(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'split-kms-bench-'));
  try {
    const kmsDir = synthesizeFunctionBundle({}, path.join(outdir, 'kms'));
    const hsmDir = synthesizeFunctionBundle(HSM_CONTEXT, path.join(outdir, 'hsm'));
    const sources: Row = {
      name: 'Unbundled sources through tsx',
      bytes: undefined,
      ...timeStarts(
        API_LAMBDA_ENTRY,
        ['--import', 'tsx'],
        path.dirname(path.dirname(API_LAMBDA_ENTRY)),
        outdir,
      ),
    };
    const rows = [
      measureBundle('KMS variant bundle', kmsDir, outdir),
      // With enable_source_maps=true the function runs with --enable-source-maps, which reads the map at load time.
      measureBundle('KMS variant bundle with --enable-source-maps', kmsDir, outdir, [
        '--enable-source-maps',
      ]),
      measureBundle('CloudHSM variant bundle (with pkcs11js)', hsmDir, outdir),
      sources,
    ];

    printTable(rows, sources);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main();
