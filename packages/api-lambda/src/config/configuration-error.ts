/**
 * Invalid or missing configuration, found at start-up. The message lists one
 * line per problem, each naming the environment variable and the fix, so the
 * whole message can be printed or logged as it is. Values of secret variables
 * never appear in it.
 */
export class ConfigurationError extends Error {
  /** One line per problem, such as `PORT: "x" is not an integer. Set it to ...`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
    this.problems = Object.freeze([...problems]);
  }
}

/** Tells whether a value is a `ConfigurationError`, also from another copy of this module. */
export function isConfigurationError(value: unknown): value is ConfigurationError {
  return value instanceof Error && value.name === 'ConfigurationError' && 'problems' in value;
}
