import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The parts of a handler result that the tests read. */
export interface HandlerResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Finds a loopback port with nothing listening, so every connection is refused at once. */
export async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
}

/** Builds an API Gateway HTTP API event, payload format 2.0, as the $default stage sends it. */
export function httpApiEvent(
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

/**
 * Loads the bundle in a fresh Node process, invokes `handler` with each event
 * in turn and writes the results as JSON to the file in argv[3], because the
 * handler's logs and metrics go to stdout. The text `{{ciphertext}}` in a body
 * is replaced by the `data.ciphertext` of the latest result that had one.
 */
const INVOKE_SCRIPT = `
const { handler } = require(process.argv[1]);
const events = JSON.parse(process.argv[2]);
(async () => {
  const results = [];
  let ciphertext = '';
  for (const event of events) {
    if (event.body !== undefined) event.body = event.body.replace('{{ciphertext}}', ciphertext);
    const result = await handler(event);
    ciphertext = JSON.parse(result.body).data?.ciphertext ?? ciphertext;
    results.push(result);
  }
  require('node:fs').writeFileSync(process.argv[3], JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * Invokes the bundled handler in `bundleDir` with `events`, in a child process
 * with only `env` set. The child runs asynchronously, so servers in this
 * process (a JWKS server) keep responding meanwhile.
 */
export async function invokeBundle(
  bundleDir: string,
  events: readonly unknown[],
  env: Readonly<Record<string, string>>,
): Promise<HandlerResult[]> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'split-kms-invoke-'));
  const resultsFile = path.join(folder, 'results.json');
  const args = [
    '-e',
    INVOKE_SCRIPT,
    path.join(bundleDir, 'index.js'),
    JSON.stringify(events),
    resultsFile,
  ];

  try {
    await runNode(args, { PATH: process.env.PATH ?? '', ...env });

    return JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as HandlerResult[];
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

async function runNode(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`The bundled handler failed:\n${stdout}\n${stderr}`, { cause: error }));
      } else {
        resolve();
      }
    });
  });
}

/** Parses a result's JSON envelope. */
export function envelopeOf(result: HandlerResult | undefined): Record<string, unknown> {
  if (result === undefined) {
    throw new Error('The handler returned fewer results than events.');
  }

  return JSON.parse(result.body) as Record<string, unknown>;
}
