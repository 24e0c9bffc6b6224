import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';

import { API_LAMBDA_ENTRY } from '../src/paths';
import { bundleFunction } from './bundle-assets';
import { closedLoopbackPort, envelopeOf, httpApiEvent, invokeBundle } from './bundled-handler';
import { HSM_CONTEXT } from './stack-fixtures';

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
    const lines = bundle.split('\n');

    // Minified code has no indentation, and its only line breaks sit inside template literals.
    expect(bundle.length / lines.length).toBeGreaterThan(1000);
    expect(fs.existsSync(path.join(bundleDir, 'index.js.map'))).toBe(true);
    expect(fs.existsSync(path.join(bundleDir, 'node_modules'))).toBe(false);
  });

  it('stays under 1 MB', () => {
    expect(fs.statSync(path.join(bundleDir, 'index.js')).size).toBeLessThan(1_000_000);
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
    const [health, preflight, encrypt] = await invokeBundle(bundleDir, events, {
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
    });

    // A start-up failure shows here as a 500 whose body names the cause, such as SERVICE_MISCONFIGURED.
    expect({ statusCode: health!.statusCode, body: envelopeOf(health) }).toEqual({
      statusCode: 200,
      body: { data: {}, error_code: '', message: '', status: 'OK' },
    });

    expect(preflight!.statusCode).toBe(200);
    expect(preflight!.headers['Access-Control-Allow-Origin']).toBe('https://auth.magic.link');
    expect(preflight!.headers['Access-Control-Allow-Methods']).toBe('OPTIONS,GET,POST');

    expect(encrypt!.statusCode).toBe(401);
    expect(envelopeOf(encrypt)).toMatchObject({
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
