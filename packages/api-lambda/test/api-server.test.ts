import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';

import { startApiServer, type ApiServer } from '../src/server/api-server';
import { startTestService, type TestService } from './support/service';

let service: TestService;
let server: ApiServer;
let token: string;

beforeAll(async () => {
  service = await startTestService({ env: { MAX_BODY_BYTES: '8192' } });
  server = await startApiServer({
    handle: service.handle,
    logger: new Logger({ logLevel: 'SILENT' }),
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 8192,
  });
  token = await service.jwks.mintToken({ claims: { ewi: 'wallet-http' } });
});

afterAll(async () => {
  await server.close();
  await service.close();
});

async function post(
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body,
  });
}

async function expectServerAlive(): Promise<void> {
  const response = await post('/encrypt', JSON.stringify({ plaintext: 'alive' }));

  expect(response.status).toBe(200);
}

describe('local API server', () => {
  it('encrypts and decrypts over HTTP', async () => {
    const encrypted = (await (await post('/encrypt', '{"plaintext":"over http"}')).json()) as {
      data: { ciphertext: string };
    };
    const response = await post(
      '/decrypt',
      JSON.stringify({ ciphertext: encrypted.data.ciphertext }),
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://auth.magic.link');
    expect(await response.json()).toEqual({
      data: { plaintext: 'over http' },
      error_code: '',
      message: '',
      status: 'OK',
    });
  });

  it('passes the query string to the handler', async () => {
    const response = await fetch(`${server.url}/healthz?deep=true`);

    expect(response.status).toBe(200);
  });

  it('answers 413 for a body over MAX_BODY_BYTES', async () => {
    const response = await post('/encrypt', JSON.stringify({ plaintext: 'x'.repeat(200_000) }));
    const body = (await response.json()) as { error_code: string };

    expect(response.status).toBe(413);
    expect(body.error_code).toBe('PAYLOAD_TOO_LARGE');
    await expectServerAlive();
  });

  it('answers 413 for an oversized body before checking the token', async () => {
    const response = await post('/decrypt', 'y'.repeat(50_000), { authorization: 'none' });

    expect(response.status).toBe(413);
  });

  it('survives a client that aborts mid-body', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
        socket.write(
          'POST /encrypt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
            `Authorization: Bearer ${token}\r\nContent-Length: 5000\r\n\r\n{"plaintext":"`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });

    await expectServerAlive();
  });

  it('survives a client that aborts before the response', async () => {
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${server.url}/encrypt`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      request.on('error', () => resolve());
      request.write('{"plaintext":"abort me"}');
      request.end(() => {
        request.destroy();
        resolve();
      });
    });

    await expectServerAlive();
  });

  it('survives a malformed HTTP request', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
        socket.end('NOT-HTTP \u0000\r\n\r\n');
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });

    await expectServerAlive();
  });

  it('names PORT when the port is taken', async () => {
    const port = Number(new URL(server.url).port);

    await expect(
      startApiServer({
        handle: service.handle,
        logger: new Logger({ logLevel: 'SILENT' }),
        host: '127.0.0.1',
        port,
        maxBodyBytes: 8192,
      }),
    ).rejects.toThrow(
      `Port 127.0.0.1:${port} is already in use. Stop the other server or set PORT to a free port.`,
    );
  });

  it('answers 404 for unknown routes with the path', async () => {
    const response = await fetch(`${server.url}/does-not-exist?x=1`);
    const body = (await response.json()) as { error_code: string; message: string };

    expect(response.status).toBe(404);
    expect(body.error_code).toBe('INVALID_PATH');
    expect(body.message).toContain('/does-not-exist');
  });
});
