import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * A local AWS KMS emulator for tests: moto's server mode behind a loopback
 * proxy. The proxy counts the KMS requests that reach the emulator and can
 * return an injected AWS error for chosen requests, because moto cannot
 * throttle or enforce key states. It keeps its port and moto's keys across
 * `stop()` and `restart()`.
 *
 * @example
 * const moto = await startMoto();
 * const kms = new KMS({ endpoint: moto.endpoint, region: moto.region });
 * // ...
 * await moto.close();
 */
export interface MotoServer {
  /** Base URL that AWS SDK clients and the AWS CLI use, such as `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** Region to configure in clients. */
  readonly region: string;
  /** Number of KMS requests received since start or the last `resetRequestCount()`, injected faults included. */
  requestCount(): number;
  /** KMS requests per action (`Encrypt`, `GenerateDataKey`, ...) since the last reset. */
  requestsByAction(): Readonly<Record<string, number>>;
  resetRequestCount(): void;
  /** Returns an AWS error for the next `count` KMS requests (of `fault.action` only, when given). */
  injectFault(fault: InjectedFault, count?: number): void;
  /** Number of injected faults not yet delivered. */
  pendingFaults(): number;
  /**
   * Stops serving: the port refuses connections and the moto process is
   * suspended (SIGSTOP), so its keys survive for `restart()`.
   */
  stop(): Promise<void>;
  /** Resumes moto and serves again on the same port, with the keys made before `stop()`. */
  restart(): Promise<void>;
  /** Stops everything for good. */
  close(): Promise<void>;
}

/** An AWS JSON protocol error that the proxy returns in place of moto's response. */
export interface InjectedFault {
  /** Error type, such as `ThrottlingException` or `DisabledException`. */
  readonly type: string;
  /** HTTP status. @default 400 */
  readonly status?: number;
  readonly message?: string;
  /** KMS action to fail, such as `Decrypt`. Other actions pass through. @default every action */
  readonly action?: string;
}

/** Region of the emulator and of the dummy credentials. */
export const MOTO_REGION = 'us-east-1';

/** Account id that moto gives every resource. */
export const MOTO_ACCOUNT_ID = '123456789012';

const MOTO_REQUIRED = "moto is required: pip install 'moto[server]'";
const START_TIMEOUT_MS = 30_000;
const KMS_TARGET_PREFIX = 'TrentService.';

/**
 * Sets dummy AWS credentials and the region in `process.env`, unless already
 * set, so SDK clients in the test process sign requests for moto.
 */
export function useMotoCredentials(): void {
  process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';
  process.env['AWS_REGION'] ??= MOTO_REGION;
  process.env['AWS_DEFAULT_REGION'] ??= MOTO_REGION;
}

/**
 * Starts moto (`python3 -m moto.server`) on a free loopback port behind a
 * counting proxy, and waits until it responds.
 *
 * @throws Error "moto is required: ..." when python3 or moto is missing.
 */
export async function startMoto(): Promise<MotoServer> {
  checkMotoInstalled();
  useMotoCredentials();

  const motoPort = await findFreePort();
  const emulator = await spawnMoto(motoPort);
  // A test that times out before close() must not keep jest alive: the emulator and its pipe are unreferenced.
  emulator.unref();
  (emulator.stderr as { unref?: () => void } | null)?.unref?.();
  const killOnExit = (): void => {
    emulator.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const proxy = new CountingProxy(motoPort);
  const proxyPort = await proxy.listen(0);

  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    region: MOTO_REGION,
    requestCount: () => proxy.total,
    requestsByAction: () => ({ ...proxy.byAction }),
    resetRequestCount: () => proxy.resetCounts(),
    injectFault: (fault, count = 1) => proxy.addFaults(fault, count),
    pendingFaults: () => proxy.faults.length,
    stop: async () => {
      await proxy.close();
      emulator.kill('SIGSTOP');
    },
    restart: async () => {
      emulator.kill('SIGCONT');
      await proxy.listen(proxyPort);
    },
    close: async () => {
      await proxy.close();
      emulator.kill('SIGCONT');
      await stopProcess(emulator);
      process.off('exit', killOnExit);
    },
  };
}

/**
 * Runs the AWS CLI against the emulator and returns its standard output. It
 * runs asynchronously, because the proxy in this process must keep serving.
 *
 * @throws Error with the CLI's standard error when it exits with a non-zero status.
 */
export async function runAwsCli(moto: MotoServer, args: readonly string[]): Promise<string> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: moto.region,
    AWS_MAX_ATTEMPTS: '1',
  };

  try {
    const { stdout } = await execFileAsync(
      'aws',
      ['--endpoint-url', moto.endpoint, '--region', moto.region, ...args],
      { encoding: 'utf8', env, timeout: 60_000 },
    );

    return stdout;
  } catch (error) {
    const failure = error as { code?: unknown; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error('The AWS CLI is required: pip install awscli', { cause: error });
    }
    throw new Error(`aws ${args.join(' ')} failed: ${failure.stderr?.trim() ?? String(error)}`, {
      cause: error,
    });
  }
}

function checkMotoInstalled(): void {
  const result = spawnSync('python3', ['-c', 'import moto.server'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error !== undefined) {
    throw new Error(`${MOTO_REQUIRED} (python3 could not run: ${result.error.message}).`);
  }
  if (result.status !== 0) {
    throw new Error(
      `${MOTO_REQUIRED} (${result.stderr.trim().split('\n').pop() ?? 'import failed'}).`,
    );
  }
}

async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');

  return port;
}

async function spawnMoto(port: number): Promise<ChildProcess> {
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `${MOTO_REQUIRED} (moto.server exited with status ${child.exitCode}: ${stderr.trim()}).`,
      );
    }
    if (await isResponding(port)) {
      return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  await stopProcess(child);
  throw new Error(
    `moto.server did not respond on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`,
  );
}

async function isResponding(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/moto-api/`, {
      signal: AbortSignal.timeout(1000),
    });
    await response.arrayBuffer();

    return response.ok;
  } catch {
    return false;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Forwards HTTP requests to moto, counting KMS requests and returning injected faults itself. */
class CountingProxy {
  total = 0;
  byAction: Record<string, number> = {};
  faults: InjectedFault[] = [];
  readonly #server: Server;

  constructor(private readonly motoPort: number) {
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  async listen(port: number): Promise<number> {
    this.#server.listen(port, '127.0.0.1');
    this.#server.unref();
    await once(this.#server, 'listening');

    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.#server.listening) {
      return;
    }

    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  resetCounts(): void {
    this.total = 0;
    this.byAction = {};
  }

  addFaults(fault: InjectedFault, count: number): void {
    for (let index = 0; index < count; index += 1) {
      this.faults.push(fault);
    }
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const action = kmsAction(request);
    if (action !== undefined) {
      this.total += 1;
      this.byAction[action] = (this.byAction[action] ?? 0) + 1;
    }

    const fault = action === undefined ? undefined : this.#takeFault(action);
    if (fault !== undefined) {
      request.resume();
      sendFault(response, fault);
      return;
    }

    this.#forward(request, response);
  }

  #takeFault(action: string): InjectedFault | undefined {
    const index = this.faults.findIndex(
      (fault) => fault.action === undefined || fault.action === action,
    );

    return index === -1 ? undefined : this.faults.splice(index, 1)[0];
  }

  #forward(request: IncomingMessage, response: ServerResponse): void {
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: this.motoPort,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  }
}

function kmsAction(request: IncomingMessage): string | undefined {
  const target = request.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.startsWith(KMS_TARGET_PREFIX)) {
    return undefined;
  }

  return target.slice(KMS_TARGET_PREFIX.length);
}

function sendFault(response: ServerResponse, fault: InjectedFault): void {
  const body = JSON.stringify({
    __type: fault.type,
    message: fault.message ?? `Injected ${fault.type}.`,
  });
  response.writeHead(fault.status ?? 400, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': fault.type,
    'x-amzn-requestid': `injected-${Date.now()}`,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
