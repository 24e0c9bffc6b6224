import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const repositoryRoot = join(__dirname, '..', '..', '..');
const apiPackage = join(repositoryRoot, 'packages', 'api-lambda');
const tsxCli = require.resolve('tsx/cli');
const START_TIMEOUT_MS = 60_000;

/** A local Split KMS server started as a child process, as `npm start` would. */
export interface LocalApi {
  readonly baseUrl: string;
  /** Mints a development token for a wallet id, as `npm run token` would. */
  readonly tokenFor: (ewi: string) => Promise<string>;
  readonly stop: () => Promise<void>;
}

/**
 * Starts the local server on a free loopback port. `directory` contains its
 * development keys (`.split-kms/`), like the repository root does for `npm start`.
 */
export async function startLocalApi(directory: string): Promise<LocalApi> {
  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INIT_CWD: directory,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  delete env['JWKS_URL'];
  delete env['KEY_SHARE_CIPHER'];

  const child = spawn(
    process.execPath,
    [
      tsxCli,
      '--tsconfig',
      join(apiPackage, 'tsconfig.json'),
      join(apiPackage, 'src/server/main.ts'),
    ],
    {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const errors = collectOutput(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(baseUrl, child, errors);

  return {
    baseUrl,
    tokenFor: async (ewi) => mintToken(directory, ewi),
    stop: async () => stopChild(child),
  };
}

async function mintToken(directory: string, ewi: string): Promise<string> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      tsxCli,
      '--tsconfig',
      join(apiPackage, 'tsconfig.json'),
      join(apiPackage, 'src/server/mint-token.ts'),
      ewi,
    ],
    { env: { ...process.env, INIT_CWD: directory } },
  );

  return stdout.trim();
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function collectOutput(child: ChildProcess): string[] {
  const lines: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk));

  return lines;
}

async function waitUntilHealthy(
  baseUrl: string,
  child: ChildProcess,
  errors: string[],
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`The local server exited with code ${child.exitCode}: ${errors.join('')}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  await stopChild(child);
  throw new Error(
    `The local server did not respond to /healthz within ${START_TIMEOUT_MS} ms: ${errors.join('')}`,
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
