import { resolve } from 'node:path';

import { KEY_SHARE_CIPHER, type KeyShareCipher } from '@split-kms/core';

import { buildServiceContainer } from '../composition/container';
import { API_CONFIG, API_HANDLER, LOGGER } from '../composition/tokens';
import { parseApiConfig } from '../config/api-config';
import { isConfigurationError } from '../config/configuration-error';
import type { ApiHandler } from '../http/types';
import { describeError } from '../logging/safe-error';
import { startApiServer } from './api-server';
import {
  DEFAULT_DEVELOPMENT_KEY_FILE,
  DEVELOPMENT_JWKS_PATH,
  loadOrCreateDevelopmentKey,
} from './development-key';
import { withDevelopmentJwks } from './development-routes';
import { formatStartupBanner } from './startup-banner';
import { workingDirectory } from './working-directory';

/*
 * The local server (`npm start`). It differs from the Lambda in two defaults:
 * KEY_SHARE_CIPHER is `software`, and without JWKS_URL tokens are verified
 * with a development key pair (see `npm run token`). Metrics are off.
 */

async function main(): Promise<void> {
  const directory = workingDirectory();
  const { config: preliminary } = parseApiConfig(process.env, 'local');
  const developmentKey =
    preliminary.auth.jwks.kind === 'development'
      ? await loadOrCreateDevelopmentKey(resolve(directory, DEFAULT_DEVELOPMENT_KEY_FILE))
      : undefined;

  const container = await buildServiceContainer({
    mode: 'local',
    workingDirectory: directory,
    ...(developmentKey === undefined ? {} : { developmentJwks: developmentKey.jwks }),
  });
  const config = container.resolve(API_CONFIG);
  const logger = container.resolve(LOGGER);
  const cipher = container.resolve<KeyShareCipher>(KEY_SHARE_CIPHER);

  const health = await cipher.checkHealth();
  if (!health.healthy) {
    throw new Error(`The key provider is not healthy: ${health.detail}`);
  }

  let handle: ApiHandler = container.resolve(API_HANDLER);
  if (developmentKey !== undefined) {
    handle = withDevelopmentJwks(handle, developmentKey.jwks);
  }

  const server = await startApiServer({
    handle,
    logger,
    host: config.host,
    port: config.port,
    maxBodyBytes: config.maxBodyBytes,
  });
  logger.info('Local server started', { url: server.url, provider: cipher.name });
  process.stdout.write(
    `\n${formatStartupBanner({
      url: server.url,
      providers: [config.cipher.primary, ...config.cipher.decryptOnly],
      developmentTokens: developmentKey !== undefined,
      developmentJwksPath: DEVELOPMENT_JWKS_PATH,
    })}\n\n`,
  );

  const shutdown = (signal: string): void => {
    logger.info('Local server stopping', { signal });
    void server
      .close()
      .then(async () => cipher.close?.())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('Local server did not stop cleanly', { error: describeError(error) });
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  // Start-up failures print their message only: the stack would hide the fix.
  const text =
    isConfigurationError(error) || error instanceof Error ? error.message : String(error);
  process.stderr.write(`Split KMS could not start.\n${text}\n`);
  process.exit(1);
});
