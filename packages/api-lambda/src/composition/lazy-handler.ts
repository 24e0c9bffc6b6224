import type { Logger } from '@aws-lambda-powertools/logger';

import { parseApiConfig } from '../config/api-config';
import { isConfigurationError } from '../config/configuration-error';
import type { Environment } from '../config/environment-reader';
import { corsHeaders } from '../http/cors';
import { errorResponse } from '../http/envelope';
import { toApiError } from '../http/error-mapping';
import { getSingleHeader } from '../http/headers';
import type { ApiHandler } from '../http/types';
import { describeError } from '../logging/safe-error';

/**
 * Wraps a handler that is built on first use, once per process (a warm
 * Lambda reuses it). While building fails, each request returns the mapped
 * error (`SERVICE_MISCONFIGURED` for a `ConfigurationError`) and the next
 * request tries again. Each distinct failure is logged once at ERROR level,
 * with the full `ConfigurationError` text.
 */
export function createLazyHandler(
  build: () => Promise<ApiHandler>,
  logger: Logger,
  env: Environment,
): ApiHandler {
  let pending: Promise<ApiHandler> | undefined;
  let lastLoggedFailure: string | undefined;

  return async (request) => {
    pending ??= build();

    let handler: ApiHandler;
    try {
      handler = await pending;
    } catch (error) {
      pending = undefined;
      // A ConfigurationError is logged whole: its lines name variables and never quote secrets.
      const failure = isConfigurationError(error)
        ? { name: error.name, message: error.message }
        : describeError(error);
      if (failure.message !== lastLoggedFailure) {
        lastLoggedFailure = failure.message;
        logger.error('Service failed to start', { error: failure });
      }

      const cors = corsHeaders(
        parseApiConfig(env, 'lambda').config.corsOrigins,
        getSingleHeader(request.headers, 'origin'),
      );

      return errorResponse(toApiError(error), cors);
    }

    return handler(request);
  };
}
