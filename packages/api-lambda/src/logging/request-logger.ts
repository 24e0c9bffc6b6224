import type { Logger } from '@aws-lambda-powertools/logger';

/** Structured fields of a log line. Never put a token, plaintext, ciphertext or claim other than `ewi` here. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A Powertools logger bound to one request: every line carries `requestId`.
 * It wraps the shared logger instead of creating a child per request, which
 * keeps concurrent requests of the local server apart at no cost.
 */
export class RequestLogger {
  readonly #logger: Logger;
  readonly #requestId: string;

  constructor(logger: Logger, requestId: string) {
    this.#logger = logger;
    this.#requestId = requestId;
  }

  get requestId(): string {
    return this.#requestId;
  }

  debug(message: string, fields: LogFields = {}): void {
    this.#logger.debug(message, { ...fields, requestId: this.#requestId });
  }

  info(message: string, fields: LogFields = {}): void {
    this.#logger.info(message, { ...fields, requestId: this.#requestId });
  }

  warn(message: string, fields: LogFields = {}): void {
    this.#logger.warn(message, { ...fields, requestId: this.#requestId });
  }

  error(message: string, fields: LogFields = {}): void {
    this.#logger.error(message, { ...fields, requestId: this.#requestId });
  }
}
