import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';

import { API_LAMBDA_ENTRY } from '../src/paths';
import { bundleFunction } from './bundle-assets';
import { HSM_CONTEXT } from './stack-fixtures';

/** Finds a loopback port with nothing listening, so every connection is refused at once. */
async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
}

/** Builds an API Gateway HTTP API event, payload format 2.0, as the $default stage sends it. */
function httpApiEvent(
  method: string,
  rawPath: string,
  headers: Record<string, string>,
  body?: string,
) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: {
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'jest',
      ...headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'jest',
      },
      requestId: `request-${method}-${rawPath}`,
      routeKey: '$default',
      stage: '$default',
      time: '04/Dec/2026:21:00:00 +0000',
      timeEpoch: 1_796_418_000_000,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** Loads the bundle in a fresh Node process, invokes `handler` with each event and prints the results as JSON. */
const INVOKE_SCRIPT = `
const { handler } = require(process.argv[1]);
const events = JSON.parse(process.argv[2]);
(async () => {
  const results = [];
  for (const event of events) results.push(await handler(event));
  process.stdout.write(JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
`;

interface HandlerResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

describe('KMS variant bundle', () => {
  let bundleDir = '';

  beforeAll(() => {
    if (!fs.existsSync(API_LAMBDA_ENTRY)) {
      throw new Error(
        `The Lambda entry ${API_LAMBDA_ENTRY} does not exist yet. The api-lambda package must export handler from it.`,
      );
    }
    bundleDir = bundleFunction({});
  });

  it('is minified JavaScript with a source map', () => {
    const bundle = fs.readFileSync(path.join(bundleDir, 'index.js'), 'utf8');

    expect(fs.existsSync(path.join(bundleDir, 'index.js.map'))).toBe(true);
    expect(bundle.split('\n').length).toBeLessThan(50);
    expect(fs.existsSync(path.join(bundleDir, 'node_modules'))).toBe(false);
  });

  it('returns health, preflight and 401', async () => {
    const closedPort = await closedLoopbackPort();
    const events = [
      httpApiEvent('GET', '/healthz', {}),
      httpApiEvent('OPTIONS', '/encrypt', {
        origin: 'https://auth.magic.link',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      }),
      httpApiEvent(
        'POST',
        '/encrypt',
        { origin: 'https://auth.magic.link', 'content-type': 'application/json' },
        '{"plaintext":"share"}',
      ),
    ];
    const child = spawnSync(
      process.execPath,
      ['-e', INVOKE_SCRIPT, path.join(bundleDir, 'index.js'), JSON.stringify(events)],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${closedPort}`,
          KEY_SHARE_CIPHER: 'aws-kms',
          DKMS_KMS_KEY_ID:
            'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          KMS_MODE: 'direct',
          KMS_MAX_ATTEMPTS: '1',
          KMS_REQUEST_TIMEOUT_MS: '500',
          JWKS_URL: `http://127.0.0.1:${closedPort}/jwks.json`,
          JWKS_TIMEOUT_MS: '500',
          CORS_ALLOW_ORIGINS: 'https://auth.magic.link',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
      },
    );
    expect(child.stderr).not.toMatch(/Error:/);
    expect(child.status).toBe(0);
    const [health, preflight, encrypt] = JSON.parse(child.stdout) as HandlerResult[];

    // A start-up failure shows here as a 500 whose body names the cause, such as SERVICE_MISCONFIGURED.
    expect({ statusCode: health!.statusCode, body: JSON.parse(health!.body) as unknown }).toEqual({
      statusCode: 200,
      body: { data: {}, error_code: '', message: '', status: 'OK' },
    });

    expect(preflight!.statusCode).toBe(200);
    expect(preflight!.headers['Access-Control-Allow-Origin']).toBe('https://auth.magic.link');
    expect(preflight!.headers['Access-Control-Allow-Methods']).toBe('OPTIONS,GET,POST');

    expect(encrypt!.statusCode).toBe(401);
    expect(JSON.parse(encrypt!.body)).toMatchObject({
      error_code: 'ACCESS_DENIED',
      status: 'UNAUTHORIZED',
      data: {},
    });
    expect(encrypt!.headers['Access-Control-Allow-Origin']).toBe('https://auth.magic.link');
  });
});

describe('CloudHSM variant bundle', () => {
  let bundleDir = '';

  beforeAll(() => {
    bundleDir = bundleFunction(HSM_CONTEXT);
  });

  it('ships the pkcs11js addon beside the bundle', () => {
    expect(fs.existsSync(path.join(bundleDir, 'index.js'))).toBe(true);
    expect(
      fs.existsSync(
        path.join(bundleDir, 'node_modules', 'pkcs11js', 'build', 'Release', 'pkcs11.node'),
      ),
    ).toBe(true);
  });

  it('loads the shipped addon', () => {
    const script = `const { PKCS11 } = require(require.resolve('pkcs11js', { paths: [process.argv[1]] })); process.stdout.write(typeof new PKCS11().C_Initialize);`;
    const child = spawnSync(process.execPath, ['-e', script, bundleDir], {
      encoding: 'utf8',
      timeout: 10_000,
    });

    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('function');
  });
});
