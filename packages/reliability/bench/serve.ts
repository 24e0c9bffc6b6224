import {
  API_HANDLER,
  buildServiceContainer,
  DISABLED_METRICS,
  startApiServer,
} from '@split-kms/api-lambda';
import { createServiceLogger } from '../../api-lambda/src/logging/service-logger';

/*
 * The API server process of the load bench: composed from the environment
 * as a deployment is, on 127.0.0.1 and a free port. It sends its URL to the
 * parent over the IPC channel and stops on SIGTERM.
 */

async function main(): Promise<void> {
  const logger = createServiceLogger(process.env['POWERTOOLS_SERVICE_NAME'] ?? 'split-kms');
  const container = await buildServiceContainer({
    mode: 'lambda',
    env: process.env,
    logger,
    metrics: DISABLED_METRICS,
  });
  const server = await startApiServer({
    handle: container.resolve(API_HANDLER),
    logger,
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 65_536,
  });

  process.once('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
  process.send?.({ url: server.url });
}

main().catch((error: unknown) => {
  console.error('The bench server failed to start:', (error as Error).message);
  process.exit(1);
});
