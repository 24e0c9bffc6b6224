// tsyringe needs the Reflect metadata polyfill loaded before it. This is the
// only module that imports tsyringe, so importing the polyfill here covers
// every entry point (Lambda, local server, embedding, tests).
import 'reflect-metadata';

import type { Logger } from '@aws-lambda-powertools/logger';
import { KEY_SHARE_CIPHER, type KeyShareCipher } from '@split-kms/core';
import type { JSONWebKeySet } from 'jose';
import {
  container as rootContainer,
  instanceCachingFactory,
  type DependencyContainer,
} from 'tsyringe';

import type { RuntimeMode } from '../config/api-config';
import type { Environment } from '../config/environment-reader';
import { createApiHandler } from '../http/handler';
import { createServiceLogger } from '../logging/service-logger';
import {
  DISABLED_METRICS,
  PowertoolsMetricsRecorder,
  type MetricsRecorder,
} from '../metrics/request-metrics';
import { createCipher } from './create-cipher';
import { createJwtVerifier } from './create-verifier';
import { loadServiceConfiguration } from './service-configuration';
import { API_CONFIG, API_HANDLER, JWT_VERIFIER, LOGGER, METRICS } from './tokens';

/** Options of `buildServiceContainer`. */
export interface ServiceContainerOptions {
  /** Environment variables. @default process.env */
  readonly env?: Environment;
  readonly mode: RuntimeMode;
  /** Public keys for the local server's development tokens, used when `JWKS_URL` is unset locally. */
  readonly developmentJwks?: JSONWebKeySet;
  /** @default a Powertools logger with the configured service name */
  readonly logger?: Logger;
  /** @default Powertools EMF metrics in Lambda, none in the local server */
  readonly metrics?: MetricsRecorder;
  /** Directory for relative paths such as `SOFTWARE_KEY_FILE`. @default process.cwd() */
  readonly workingDirectory?: string;
}

/**
 * Validates the configuration, creates the providers, and registers every
 * service in a child container of tsyringe's root container. Registrations
 * use `useValue` and `useFactory` only, so no decorators are involved.
 *
 * @throws ConfigurationError when a variable is invalid.
 */
export async function buildServiceContainer(
  options: ServiceContainerOptions,
): Promise<DependencyContainer> {
  const configuration = loadServiceConfiguration(options.env ?? process.env, options.mode);
  const { api } = configuration;
  const logger = options.logger ?? createServiceLogger(api.serviceName);
  const metrics =
    options.metrics ?? defaultMetrics(options.mode, api.metricsNamespace, api.serviceName);
  const verifier = createJwtVerifier(api.auth, options.developmentJwks);
  const cipher = await createCipher(configuration, {
    logger,
    workingDirectory: options.workingDirectory ?? process.cwd(),
  });

  const container = rootContainer.createChildContainer();
  container.register(API_CONFIG, { useValue: api });
  container.register(LOGGER, { useValue: logger });
  container.register(METRICS, { useValue: metrics });
  container.register(JWT_VERIFIER, { useValue: verifier });
  container.register<KeyShareCipher>(KEY_SHARE_CIPHER, { useValue: cipher });
  container.register(API_HANDLER, {
    useFactory: instanceCachingFactory((resolver) => {
      const config = resolver.resolve(API_CONFIG);

      return createApiHandler({
        cipher: resolver.resolve<KeyShareCipher>(KEY_SHARE_CIPHER),
        verifier: resolver.resolve(JWT_VERIFIER),
        logger: resolver.resolve(LOGGER),
        metrics: resolver.resolve(METRICS),
        maxBodyBytes: config.maxBodyBytes,
        corsOrigins: config.corsOrigins,
        deepHealthCheck: config.deepHealthCheck,
      });
    }),
  });

  return container;
}

function defaultMetrics(
  mode: RuntimeMode,
  namespace: string,
  serviceName: string,
): MetricsRecorder {
  return mode === 'lambda'
    ? new PowertoolsMetricsRecorder(namespace, serviceName)
    : DISABLED_METRICS;
}
