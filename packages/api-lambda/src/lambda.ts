import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';

import { buildServiceContainer } from './composition/container';
import { createLazyHandler } from './composition/lazy-handler';
import { API_HANDLER, LOGGER } from './composition/tokens';
import { parseApiConfig } from './config/api-config';
import { requestFromEvent, resultFromResponse } from './lambda-event';
import { createServiceLogger } from './logging/service-logger';

/*
 * The AWS Lambda entry point, bundled by the CDK app from this file's
 * `handler` export. The container is built on the first invocation and
 * reused while the execution environment stays warm.
 */

const startupLogger = createServiceLogger(parseApiConfig(process.env, 'lambda').config.serviceName);

const handleRequest = createLazyHandler(
  async () => {
    const container = await buildServiceContainer({ mode: 'lambda', logger: startupLogger });
    container.resolve(LOGGER).info('Service started', { mode: 'lambda' });

    return container.resolve(API_HANDLER);
  },
  startupLogger,
  process.env,
);

/**
 * Handles one API Gateway HTTP API (payload format 2.0) invocation. With the
 * Lambda context, log lines also carry the function name, the invocation's
 * request id and whether it was a cold start.
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context?: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  if (context !== undefined) {
    startupLogger.addContext(context);
  }

  const response = await handleRequest(requestFromEvent(event));

  return resultFromResponse(response);
}
