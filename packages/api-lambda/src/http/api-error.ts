import { HTTP_ERROR_CODES, type HttpErrorCode } from './error-codes';

/** An error returned to the caller with a code from `HTTP_ERROR_CODES` and a plain message without secrets. */
export class ApiError extends Error {
  readonly code: HttpErrorCode;
  /** Seconds for the `Retry-After` header, when the caller should wait. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: HttpErrorCode,
    message: string,
    options?: { readonly retryAfterSeconds?: number },
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (options?.retryAfterSeconds !== undefined) {
      this.retryAfterSeconds = options.retryAfterSeconds;
    }
  }

  get statusCode(): number {
    return HTTP_ERROR_CODES[this.code].status;
  }
}
