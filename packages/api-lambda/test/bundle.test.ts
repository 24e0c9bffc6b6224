import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestJwksServer } from '@split-kms/testing/jwks';

import { PROVIDER_MODULES } from '../src/composition/providers/registry';
import { apiGatewayEvent } from './support/events';

const run = promisify(execFile);
const PACKAGE_DIR = join(__dirname, '..');

/**
 * Runs in a fresh Node.js process: requires the bundle, then calls its
 * handler with the events of argv[3] in order. `{{ciphertext}}` in a body is
 * replaced by the ciphertext of the previous encrypt result.
 */
const DRIVER = `
const { readFileSync, writeFileSync } = require('node:fs');
const { handler } = require(process.argv[2]);
const events = JSON.parse(readFileSync(process.argv[3], 'utf8'));
(async () => {
  const results = [];
  let ciphertext = '';
  for (const event of events) {
    if (event.body) event.body = event.body.replace('{{ciphertext}}', ciphertext);
    const context = {
      functionName: 'split-kms-bundle', functionVersion: '$LATEST', memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:split-kms-bundle',
      awsRequestId: 'bundle-invocation-' + results.length, getRemainingTimeInMillis: () => 3000,
    };
    const result = await handler(event, context);
    const body = JSON.parse(result.body);
    if (body.data && body.data.ciphertext) ciphertext = body.data.ciphertext;
    results.push(result);
  }
  writeFileSync(process.argv[4], JSON.stringify({
    results,
    reflectMetadataLoaded: typeof Reflect.getMetadata === 'function',
  }));
})();
`;

let jwks: TestJwksServer;
let directory: string;
let bundlePath: string;

beforeAll(async () => {
  jwks = await TestJwksServer.start();
  directory = await mkdtemp(join(tmpdir(), 'split-kms-bundle-'));
  await run(process.execPath, [join(PACKAGE_DIR, 'scripts/bundle.mjs'), '--outdir', directory], {
    cwd: PACKAGE_DIR,
  });
  bundlePath = join(directory, 'lambda.js');
}, 60_000);

afterAll(async () => {
  await jwks.stop();
  await rm(directory, { recursive: true, force: true });
});

interface DriverOutput {
  readonly results: { statusCode: number; headers: Record<string, string>; body: string }[];
  readonly reflectMetadataLoaded: boolean;
}

async function runBundle(
  events: unknown[],
  env: Record<string, string>,
): Promise<{ output: DriverOutput; stdout: string }> {
  const driver = join(directory, 'driver.cjs');
  const eventsFile = join(directory, 'events.json');
  const outputFile = join(directory, 'output.json');
  await writeFile(driver, DRIVER);
  await writeFile(eventsFile, JSON.stringify(events));

  const { stdout, stderr } = await run(
    process.execPath,
    [driver, bundlePath, eventsFile, outputFile],
    {
      cwd: directory,
      env: { PATH: process.env['PATH'], ...env },
    },
  );

  return {
    output: JSON.parse(await readFile(outputFile, 'utf8')) as DriverOutput,
    stdout: `${stdout}${stderr}`,
  };
}

describe('Lambda bundle', () => {
  it('is CommonJS with pkcs11js external and the AWS SDK inside', async () => {
    const code = await readFile(bundlePath, 'utf8');
    const meta = JSON.parse(await readFile(join(directory, 'meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const inputs = Object.keys(meta.inputs);
    const hasKms = PROVIDER_MODULES.some((module) => module.name === 'aws-kms');
    const hasPkcs11 = PROVIDER_MODULES.some((module) => module.name === 'pkcs11');

    expect(code).not.toMatch(/^\s*import\s/m);
    expect(inputs.some((input) => input.includes('node_modules/pkcs11js/'))).toBe(false);
    expect(code.includes('require("pkcs11js")')).toBe(hasPkcs11);
    expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/'))).toBe(hasKms);
    expect(inputs.some((input) => /(^|\/)core\/src\//.test(input))).toBe(true);
  });

  it('serves healthz, preflight, encrypt and decrypt in a fresh process', async () => {
    const token = await jwks.mintToken({ claims: { ewi: 'wallet-bundle' } });
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const events = [
      apiGatewayEvent({ method: 'GET', path: '/healthz?deep=true' }),
      apiGatewayEvent({
        method: 'OPTIONS',
        path: '/encrypt',
        headers: { origin: 'https://auth.magic.link' },
      }),
      apiGatewayEvent({
        method: 'POST',
        path: '/encrypt',
        headers: auth,
        body: '{"plaintext":"bundled share"}',
        base64: true,
      }),
      apiGatewayEvent({
        method: 'POST',
        path: '/decrypt',
        headers: auth,
        body: '{"ciphertext":"{{ciphertext}}"}',
      }),
      apiGatewayEvent({
        method: 'POST',
        path: '/decrypt',
        headers: {},
        body: '{"ciphertext":"{{ciphertext}}"}',
      }),
    ];

    const { output, stdout } = await runBundle(events, {
      KEY_SHARE_CIPHER: 'software',
      SOFTWARE_KEY_FILE: join(directory, 'keys.json'),
      JWKS_URL: jwks.url,
      POWERTOOLS_METRICS_NAMESPACE: 'SplitKMSBundleTest',
    });

    expect(output.reflectMetadataLoaded).toBe(true);
    expect(output.results.map((result) => result.statusCode)).toEqual([200, 200, 200, 200, 401]);
    expect(JSON.parse(output.results[3]!.body)).toEqual({
      data: { plaintext: 'bundled share' },
      error_code: '',
      message: '',
      status: 'OK',
    });
    expect(output.results[1]!.headers['Access-Control-Allow-Methods']).toBe('OPTIONS,GET,POST');
    const metrics = stdout
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      metrics.map((entry) => [
        entry['operation'],
        entry['outcome'],
        entry['provider'],
        entry['Requests'],
      ]),
    ).toEqual([
      ['healthz', 'success', 'none', 1],
      ['preflight', 'success', 'none', 1],
      ['encrypt', 'success', 'software', 1],
      ['decrypt', 'success', 'software', 1],
      ['decrypt', 'client_error', 'software', 1],
    ]);
    expect(JSON.stringify(metrics[2]!['_aws'])).toContain('"Namespace":"SplitKMSBundleTest"');
    expect(typeof metrics[2]!['Latency']).toBe('number');
    expect(stdout).toContain('"audit":true');
    expect(stdout).toContain('"function_name":"split-kms-bundle"');
    expect(stdout).toContain('"function_request_id":"bundle-invocation-2"');
    expect(stdout).not.toContain(token);
    expect(stdout).not.toContain('bundled share');
  }, 60_000);

  it('answers SERVICE_MISCONFIGURED when the configuration is invalid', async () => {
    const { output, stdout } = await runBundle(
      [apiGatewayEvent({ method: 'GET', path: '/healthz' })],
      {
        KEY_SHARE_CIPHER: 'software',
        JWKS_URL: 'ftp://x',
      },
    );

    expect(output.results[0]!.statusCode).toBe(500);
    expect(JSON.parse(output.results[0]!.body)).toMatchObject({
      error_code: 'SERVICE_MISCONFIGURED',
    });
    expect(stdout).toContain('JWKS_URL: \\"ftp://x\\" is not an http(s) URL');
  }, 60_000);
});
