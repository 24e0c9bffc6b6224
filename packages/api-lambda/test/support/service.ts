import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { TestJwksServer } from '@split-kms/testing/jwks';

import { buildServiceContainer } from '../../src/composition/container';
import { API_HANDLER } from '../../src/composition/tokens';
import type { Environment } from '../../src/config/environment-reader';
import type { Envelope } from '../../src/http/envelope';
import type { ApiHandler, ApiRequest, ApiResponse } from '../../src/http/types';
import type { MetricsRecorder, RequestMetric } from '../../src/metrics/request-metrics';

/** A handler composed as in production (software provider, remote JWKS) with its test doubles. */
export interface TestService {
  readonly handle: ApiHandler;
  readonly jwks: TestJwksServer;
  readonly metrics: RequestMetric[];
  readonly directory: string;
  close(): Promise<void>;
}

/** Options of `startTestService`. */
export interface TestServiceOptions {
  readonly env?: Environment;
  /** @default a silent logger */
  readonly logger?: Logger;
}

/** Starts a JWKS server and composes the API against it with the software provider. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const jwks = await TestJwksServer.start();
  const directory = await mkdtemp(join(tmpdir(), 'split-kms-api-'));
  const metrics: RequestMetric[] = [];
  const recorder: MetricsRecorder = { record: (metric) => metrics.push(metric) };

  const container = await buildServiceContainer({
    mode: 'lambda',
    env: testEnvironment(jwks, directory, options.env),
    logger: options.logger ?? new Logger({ logLevel: 'SILENT' }),
    metrics: recorder,
    workingDirectory: directory,
  });

  return {
    handle: container.resolve(API_HANDLER),
    jwks,
    metrics,
    directory,
    close: async () => {
      await jwks.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Returns the environment of a test deployment: software provider, the test JWKS, no JWKS cooldown. */
export function testEnvironment(
  jwks: TestJwksServer,
  directory: string,
  overrides: Environment = {},
): Environment {
  return {
    KEY_SHARE_CIPHER: 'software',
    SOFTWARE_KEY_FILE: join(directory, 'keys.json'),
    JWKS_URL: jwks.url,
    JWKS_TIMEOUT_MS: '500',
    JWKS_COOLDOWN_SECONDS: '0',
    ...overrides,
  };
}

/** Builds a POST request with a JSON body and, when given, a bearer token. */
export function postJson(path: string, body: unknown, token?: string): ApiRequest {
  return {
    method: 'POST',
    path,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  };
}

/** Parses a response's envelope. */
export function envelopeOf(response: ApiResponse): Envelope {
  return JSON.parse(response.body) as Envelope;
}

/** Encrypts through the handler and returns the ciphertext; fails the test on any error. */
export async function encryptThrough(
  handle: ApiHandler,
  token: string,
  plaintext: string,
): Promise<string> {
  const response = await handle(postJson('/encrypt', { plaintext }, token));
  const envelope = envelopeOf(response);
  if (response.statusCode !== 200) {
    throw new Error(
      `encrypt failed: ${response.statusCode} ${envelope.error_code} ${envelope.message}`,
    );
  }

  return envelope.data['ciphertext'] as string;
}

/** Encrypts and decrypts one plaintext, and returns the decrypted text. */
export async function roundTrip(
  handle: ApiHandler,
  token: string,
  plaintext = 'share round trip',
): Promise<string> {
  const ciphertext = await encryptThrough(handle, token, plaintext);
  const response = await handle(postJson('/decrypt', { ciphertext }, token));

  return envelopeOf(response).data['plaintext'] as string;
}

/** Posts a JSON body with a bearer token to a running server and returns the status and envelope. */
export async function postOverHttp(
  baseUrl: string,
  path: string,
  body: unknown,
  bearer: string,
): Promise<{ status: number; envelope: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  return { status: response.status, envelope: (await response.json()) as Record<string, unknown> };
}
