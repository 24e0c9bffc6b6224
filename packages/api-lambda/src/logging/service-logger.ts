import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Creates the service's JSON logger. Powertools reads `POWERTOOLS_LOG_LEVEL`
 * (default INFO) itself. The logger is never given an `Error` object: callers
 * log `describeError(error)`, so no `cause` chain or extra field leaks.
 */
export function createServiceLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
