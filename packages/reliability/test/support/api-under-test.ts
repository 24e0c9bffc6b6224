import type { Logger } from '@aws-lambda-powertools/logger';
import {
  API_HANDLER,
  buildServiceContainer,
  DISABLED_METRICS,
  startApiServer,
  type ApiHandler,
  type ApiServer,
  type Environment,
} from '@split-kms/api-lambda';
import { KEY_SHARE_CIPHER, type KeyShareCipher } from '@split-kms/core';
import { TestJwksServer } from '@split-kms/testing/jwks';

import { createCapturingLogger } from '../../../api-lambda/test/support/log-capture';
import { softwareKeySecrets, type ProviderFixture } from './providers';
import { SecretLedger } from './secret-ledger';

/** The API composed as in production against a real provider and a real JWKS server, with log capture. */
export interface ApiUnderTest {
  readonly handle: ApiHandler;
  readonly cipher: KeyShareCipher;
  readonly jwks: TestJwksServer;
  /** Every log line of the service, as JSON text. */
  readonly logLines: string[];
  /** Secrets used so far; `mintToken` and the suites add to it. */
  readonly ledger: SecretLedger;
  /** The local Node server, when `serve` was set. */
  readonly server?: ApiServer;
  /** Signs a token for `ewi` with a sentinel claim, and records both as secrets. */
  mintToken(ewi: string, options?: { expiresInSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Options of `startApiUnderTest`. */
export interface ApiUnderTestOptions {
  readonly provider: ProviderFixture;
  /** Variables added to, or overriding, the provider's and the JWKS settings. */
  readonly env?: Environment;
  /** Also serve the handler on the local Node server (127.0.0.1, free port). */
  readonly serve?: boolean;
  /** Powertools log level of the captured logger. @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** An existing JWKS server to share. @default a new one, stopped by `close` */
  readonly jwks?: TestJwksServer;
}

/** Composes the API with `buildServiceContainer` in Lambda mode, as a deployment does. */
export async function startApiUnderTest(options: ApiUnderTestOptions): Promise<ApiUnderTest> {
  const ownJwks = options.jwks === undefined;
  const jwks = options.jwks ?? (await TestJwksServer.start());
  const { logger, lines } = createCapturingLogger(options.logLevel ?? 'INFO');
  const container = await buildServiceContainer({
    mode: 'lambda',
    env: {
      JWKS_URL: jwks.url,
      JWKS_TIMEOUT_MS: '500',
      JWKS_COOLDOWN_SECONDS: '0',
      ...options.provider.env,
      ...options.env,
    },
    logger,
    metrics: DISABLED_METRICS,
    workingDirectory: options.provider.directory,
  });
  const handle = container.resolve(API_HANDLER);
  const cipher = container.resolve<KeyShareCipher>(KEY_SHARE_CIPHER);
  const ledger = await ledgerFor(options.provider);
  const server = options.serve === true ? await serve(handle, logger) : undefined;

  return {
    handle,
    cipher,
    jwks,
    logLines: lines,
    ledger,
    ...(server === undefined ? {} : { server }),
    mintToken: async (ewi, tokenOptions = {}) => {
      const sentinel = `claim-sentinel-${ewi}-${Date.now()}`;
      const token = await jwks.mintToken({
        claims: { ewi, sentinel },
        ...tokenOptions,
      });
      ledger.add('token', token);
      ledger.add('token signature', token.slice(token.lastIndexOf('.') + 1));
      ledger.add('sentinel claim', sentinel);

      return token;
    },
    close: async () => {
      await server?.close();
      await cipher.close?.();
      if (ownJwks) {
        await jwks.stop();
      }
    },
  };
}

async function ledgerFor(provider: ProviderFixture): Promise<SecretLedger> {
  const ledger = new SecretLedger();
  ledger.addAll('provider secret', provider.secrets);
  const keyFile = provider.env['SOFTWARE_KEY_FILE'];
  if (keyFile !== undefined) {
    ledger.addAll('software key material', await softwareKeySecrets(keyFile));
  }

  return ledger;
}

async function serve(handle: ApiHandler, logger: Logger): Promise<ApiServer> {
  return startApiServer({ handle, logger, host: '127.0.0.1', port: 0, maxBodyBytes: 65_536 });
}
