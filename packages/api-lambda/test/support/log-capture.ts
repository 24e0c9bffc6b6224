import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';

/** A Powertools logger whose output lines are kept in `lines` instead of printed. */
export interface CapturingLogger {
  readonly logger: Logger;
  readonly lines: string[];
}

/**
 * Creates a Powertools logger that writes into an array. Powertools prints
 * through its own `Console` on the real stdout, which jest cannot intercept,
 * so the test replaces that console object after construction.
 */
export function createCapturingLogger(logLevel: LogLevel = 'DEBUG'): CapturingLogger {
  const lines: string[] = [];
  const logger = new Logger({ serviceName: 'split-kms-test', logLevel });
  const write = (line: unknown): void => {
    lines.push(String(line));
  };
  Object.assign(logger, {
    console: { log: write, info: write, warn: write, error: write, debug: write, trace: write },
  });

  return { logger, lines };
}
