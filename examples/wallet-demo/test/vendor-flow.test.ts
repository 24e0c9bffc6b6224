import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { startLocalApi, type LocalApi } from '../src/local-api';
import { runVendorFlow } from '../src/vendor-flow';

const execFileAsync = promisify(execFile);

describe('wallet vendor flow over HTTP', () => {
  let directory: string;
  let api: LocalApi;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'split-kms-e2e-'));
    api = await startLocalApi(directory);
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('rebuilds the key after a round trip', async () => {
    const result = await runVendorFlow({ baseUrl: api.baseUrl, tokenFor: api.tokenFor });

    expect(result.rebuiltAddress).toBe(result.address);
    expect(result.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  }, 60_000);

  it("rejects wallet B on wallet A's share", async () => {
    const result = await runVendorFlow({ baseUrl: api.baseUrl, tokenFor: api.tokenFor });

    expect(result.otherWallet).toEqual({ status: 400, errorCode: 'DECRYPTION_FAILED' });
  }, 60_000);
});

describe('demo command', () => {
  it('exits 0 and reports both checks', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [require.resolve('tsx/cli'), join(__dirname, '../src/demo.ts')],
      {
        timeout: 120_000,
      },
    );

    expect(stdout).toContain('Address unchanged after the round trip: yes');
    expect(stdout).toContain('Wallet-b rejected: yes');
  }, 150_000);
});
