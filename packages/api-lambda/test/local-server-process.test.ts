import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const PACKAGE_DIR = join(__dirname, '..');
const TSX = join(PACKAGE_DIR, '../../node_modules/.bin/tsx');
const TSCONFIG = join(PACKAGE_DIR, 'tsconfig.json');

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'split-kms-local-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Returns a clean environment, so variables of the test run (such as INIT_CWD or JWKS_URL) do not leak in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], PORT: '0', ...extra };
}

function runTsx(script: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(TSX, ['--tsconfig', TSCONFIG, join(PACKAGE_DIR, script), ...args], {
    cwd: directory,
    env,
  });
}

async function runToEnd(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

  return { code, stdout, stderr };
}

async function waitForUrl(child: ChildProcess): Promise<string> {
  let output = '';

  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('close', () => reject(new Error(`server exited: ${output}`)));
  });
}

describe('npm start and npm run token', () => {
  it('serve development tokens, encrypt, decrypt and stop on SIGTERM', async () => {
    const server = runTsx('src/server/main.ts', [], cleanEnv());
    const exited = runToEnd(server);
    const url = await waitForUrl(server);

    const minted = await runToEnd(
      runTsx('src/server/mint-token.ts', ['wallet-local', '--ttl', '600'], cleanEnv()),
    );
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(minted.stdout).toBe(`${token}\n`);

    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const encrypted = (await (
      await fetch(`${url}/encrypt`, {
        method: 'POST',
        headers,
        body: '{"plaintext":"local share"}',
      })
    ).json()) as { data: { ciphertext: string } };
    const decrypted = await fetch(`${url}/decrypt`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ciphertext: encrypted.data.ciphertext }),
    });
    expect(((await decrypted.json()) as { data: { plaintext: string } }).data.plaintext).toBe(
      'local share',
    );

    const jwks = (await (await fetch(`${url}/.well-known/dev-jwks.json`)).json()) as {
      keys: { kty: string; d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]!.kty).toBe('RSA');
    expect(jwks.keys[0]!.d).toBeUndefined();

    expect((await stat(join(directory, '.split-kms/dev-jwt-key.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(directory, '.split-kms/dev-keys.json'))).mode & 0o777).toBe(0o600);

    server.kill('SIGTERM');
    const result = await exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DEVELOPMENT ONLY');
    expect(result.stdout).toContain('npm run -s token -- wallet-a');
    expect(result.stdout).not.toContain(token);
  }, 60_000);

  it('stops the server when a supervisor sends SIGTERM to npm start', async () => {
    const npm = spawn('npm', ['--prefix', join(PACKAGE_DIR, '../..'), 'start'], {
      cwd: directory,
      env: cleanEnv(),
    });
    const exited = runToEnd(npm);
    const url = await waitForUrl(npm);

    npm.kill('SIGTERM');
    const { stdout } = await exited;

    expect(stdout).toContain('Local server stopping');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('exits with 1 and the ConfigurationError text on bad configuration', async () => {
    const result = await runToEnd(
      runTsx('src/server/main.ts', [], cleanEnv({ JWKS_URL: 'ftp://x', PORT: 'abc' })),
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'JWKS_URL: "ftp://x" is not an http(s) URL. Set it to the JWKS address of your token issuer.',
    );
    expect(result.stderr).toContain('PORT: "abc" is not a whole number');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('prints usage and exits with 2 without a wallet id', async () => {
    const result = await runToEnd(runTsx('src/server/mint-token.ts', [], cleanEnv()));

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: npm run -s token -- <ewi>');
  }, 30_000);
});
