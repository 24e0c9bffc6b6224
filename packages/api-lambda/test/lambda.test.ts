import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestJwksServer } from '@split-kms/testing/jwks';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

import { requestFromEvent } from '../src/lambda-event';
import { apiGatewayEvent } from './support/events';
import { testEnvironment } from './support/service';

type LambdaHandler = (typeof import('../src/lambda'))['handler'];

let jwks: TestJwksServer;
let directory: string;
let handler: LambdaHandler;
let token: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  jwks = await TestJwksServer.start();
  directory = await mkdtemp(join(tmpdir(), 'split-kms-lambda-'));
  Object.assign(process.env, testEnvironment(jwks, directory), {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler } = await import('../src/lambda'));
  token = await jwks.mintToken({ claims: { ewi: 'wallet-lambda' } });
});

afterAll(async () => {
  process.env = savedEnv;
  await jwks.stop();
  await rm(directory, { recursive: true, force: true });
});

function bodyOf(result: APIGatewayProxyStructuredResultV2): {
  data: Record<string, string>;
  error_code: string;
} {
  return JSON.parse(result.body ?? '') as { data: Record<string, string>; error_code: string };
}

describe('Lambda handler', () => {
  it('encrypts a base64-encoded body and decrypts with mixed-case headers', async () => {
    const encrypted = await handler(
      apiGatewayEvent({
        method: 'POST',
        path: '/encrypt',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ plaintext: 'lambda share é' }),
        base64: true,
      }),
    );
    expect(encrypted.statusCode).toBe(200);

    const decrypted = await handler(
      apiGatewayEvent({
        method: 'POST',
        path: '/decrypt',
        headers: { Authorization: `bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ ciphertext: bodyOf(encrypted).data['ciphertext'] }),
      }),
    );

    expect(decrypted.statusCode).toBe(200);
    expect(bodyOf(decrypted).data['plaintext']).toBe('lambda share é');
    expect(decrypted.isBase64Encoded).toBe(false);
    expect(decrypted.headers?.['Content-Type']).toBe('application/json');
  });

  it('accepts the Lambda context', async () => {
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: 'split-kms-api',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:split-kms-api',
      memoryLimitInMB: '512',
      awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      logGroupName: '/aws/lambda/split-kms-api',
      logStreamName: '2026/12/04/[$LATEST]abcdef',
      getRemainingTimeInMillis: () => 3000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };

    const result = await handler(apiGatewayEvent({ method: 'GET', path: '/healthz' }), context);

    expect(result.statusCode).toBe(200);
  });

  it('reads the query string of a deep health check', async () => {
    const result = await handler(apiGatewayEvent({ method: 'GET', path: '/healthz?deep=true' }));

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).error_code).toBe('');
  });

  it('answers a preflight with the CORS headers', async () => {
    const result = await handler(
      apiGatewayEvent({
        method: 'OPTIONS',
        path: '/encrypt',
        headers: { Origin: 'https://auth.magic.link', 'Access-Control-Request-Method': 'POST' },
      }),
    );

    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://auth.magic.link',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Headers': 'Content-Type,Authorization',
      'Access-Control-Allow-Methods': 'OPTIONS,GET,POST',
    });
  });

  it('rejects a request without a token', async () => {
    const result = await handler(
      apiGatewayEvent({ method: 'POST', path: '/encrypt', body: '{"plaintext":"x"}' }),
    );

    expect(result.statusCode).toBe(401);
    expect(bodyOf(result).error_code).toBe('ACCESS_DENIED');
  });

  it('does not serve the development JWKS', async () => {
    const result = await handler(
      apiGatewayEvent({ method: 'GET', path: '/.well-known/dev-jwks.json' }),
    );

    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error_code).toBe('INVALID_PATH');
  });

  it('answers 404 for an unknown path', async () => {
    const result = await handler(apiGatewayEvent({ method: 'GET', path: '/admin' }));

    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error_code).toBe('INVALID_PATH');
  });
});

describe('requestFromEvent', () => {
  it('maps method, path, query, body and request id', () => {
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/encrypt?a=1&b=two',
      headers: { 'X-Custom': 'v' },
      body: '{"plaintext":"p"}',
      base64: true,
    });

    const request = requestFromEvent(event);

    expect(request.method).toBe('POST');
    expect(request.path).toBe('/encrypt');
    expect(request.query).toEqual({ a: '1', b: 'two' });
    expect(Buffer.from(request.body as Uint8Array).toString()).toBe('{"plaintext":"p"}');
    expect(request.requestId).toBe(event.requestContext.requestId);
    expect(request.headers['X-Custom']).toBe('v');
  });

  it('parses rawQueryString when queryStringParameters is absent', () => {
    const event = {
      ...apiGatewayEvent({ method: 'GET', path: '/healthz' }),
      rawQueryString: 'deep=true',
    };

    expect(requestFromEvent(event).query).toEqual({ deep: 'true' });
  });
});
