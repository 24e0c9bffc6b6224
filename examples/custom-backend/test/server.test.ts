import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { KeyShareCipherRouter } from '@split-kms/core';
import { SoftwareKeyShareCipher, softwareKeyFromBytes } from '@split-kms/provider-software';

import { createShareServer } from '../src/server';
import { ShareVault } from '../src/share-vault';

describe('example custom backend', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const cipher = new KeyShareCipherRouter({
      primary: new SoftwareKeyShareCipher({
        keys: [softwareKeyFromBytes('example', 1, randomBytes(32))],
      }),
    });
    server = createShareServer(new ShareVault(cipher));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const put = async (row: string, wallet: string, body: string): Promise<Response> =>
    fetch(`${baseUrl}/shares/${row}`, { method: 'PUT', headers: { 'x-wallet-id': wallet }, body });
  const get = async (row: string, wallet: string): Promise<Response> =>
    fetch(`${baseUrl}/shares/${row}`, { headers: { 'x-wallet-id': wallet } });

  it('stores and reads a share', async () => {
    expect((await put('row-1', 'wallet-a', 'device share ✓')).status).toBe(204);

    const response = await get('row-1', 'wallet-a');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ share: 'device share ✓' });
  });

  it('rejects a read by another wallet', async () => {
    await put('row-2', 'wallet-a', 'secret');

    const response = await get('row-2', 'wallet-b');

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'wrong-wallet' });
  });

  it('reports a missing row', async () => {
    expect((await get('row-missing', 'wallet-a')).status).toBe(404);
  });

  it('rejects an empty share with a typed error', async () => {
    const response = await put('row-3', 'wallet-a', '');

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'INVALID_PLAINTEXT' });
  });

  it('rejects an oversized body', async () => {
    const response = await put('row-4', 'wallet-a', 'x'.repeat(17 * 1024));

    expect(response.status).toBe(413);
  });
});
