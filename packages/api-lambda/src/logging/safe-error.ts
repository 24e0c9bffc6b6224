/** The fields of an error that are safe to log. */
export interface LoggedError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly cause?: Omit<LoggedError, 'cause'>;
}

const MAX_MESSAGE_LENGTH = 300;

/**
 * Picks the loggable fields of an error: name, `code` and message, and the
 * same three of its direct cause. Other enumerable fields, the stack and
 * deeper causes are left out, because a provider's error may hold request
 * parameters (Powertools' own formatter would log all of them). Messages are
 * shortened. Core errors never put secrets in messages; other libraries'
 * messages are the reason for the length cap.
 */
export function describeError(error: unknown): LoggedError {
  const summary = summarize(error);
  const cause =
    error instanceof Error && error.cause !== undefined ? summarize(error.cause) : undefined;

  return cause === undefined ? summary : { ...summary, cause };
}

function summarize(error: unknown): Omit<LoggedError, 'cause'> {
  if (!(error instanceof Error)) {
    return { name: typeof error, message: 'A non-Error value was thrown.' };
  }

  const code = (error as { code?: unknown }).code;
  const message =
    error.message.length > MAX_MESSAGE_LENGTH
      ? `${error.message.slice(0, MAX_MESSAGE_LENGTH)}...`
      : error.message;

  return typeof code === 'string'
    ? { name: error.name, code, message }
    : { name: error.name, message };
}
