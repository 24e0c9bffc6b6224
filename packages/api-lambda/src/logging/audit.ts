import type { RequestLogger } from './request-logger';

/** Result class of a request, as in logs and the `outcome` metric dimension. */
export type Outcome = 'success' | 'client_error' | 'server_error';

/** One audit line per encrypt or decrypt request. */
export interface AuditRecord {
  readonly operation: 'encrypt' | 'decrypt';
  readonly outcome: Outcome;
  /** Provider that did (or would have done) the work. */
  readonly provider: string;
  /** Wallet id from the token, when the token was valid. */
  readonly ewi?: string;
  /** API error code; absent on success. */
  readonly errorCode?: string;
  readonly durationMs: number;
}

/** Writes the audit line of an operation: INFO on success, WARN on a client error, ERROR on a server error. */
export function logAudit(logger: RequestLogger, record: AuditRecord): void {
  const message = `${record.operation} ${record.outcome === 'success' ? 'succeeded' : 'failed'}`;
  const fields = { audit: true, ...record };

  if (record.outcome === 'success') {
    logger.info(message, fields);
  } else if (record.outcome === 'client_error') {
    logger.warn(message, fields);
  } else {
    logger.error(message, fields);
  }
}

/** Classifies an HTTP status as an outcome. */
export function outcomeOf(statusCode: number): Outcome {
  if (statusCode >= 500) {
    return 'server_error';
  }

  return statusCode >= 400 ? 'client_error' : 'success';
}
