/** Environment variables, as in `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Options of the readers that take a number. */
export interface IntegerOptions {
  readonly min: number;
  readonly max: number;
  /** Unit named in error messages, such as `milliseconds`. */
  readonly unit: string;
}

const MAX_QUOTED_VALUE_LENGTH = 80;

/**
 * Reads typed values from environment variables and collects every problem
 * instead of stopping at the first one, so a `ConfigurationError` can list
 * them all. Each problem line names the variable, the value (unless secret)
 * and the fix. An empty or blank value counts as unset.
 */
export class EnvironmentReader {
  readonly #env: Environment;
  readonly #problems: string[] = [];

  constructor(env: Environment) {
    this.#env = env;
  }

  /** Problems found so far, one line each. */
  get problems(): readonly string[] {
    return this.#problems;
  }

  /** Records a problem with a variable: what is wrong, then what to do. */
  addProblem(name: string, problem: string, fix: string): void {
    this.#problems.push(`${name}: ${problem} ${fix}`);
  }

  /** Returns the trimmed value, or `undefined` when the variable is unset or blank. */
  optionalString(name: string): string | undefined {
    const value = this.#env[name]?.trim();

    return value === undefined || value === '' ? undefined : value;
  }

  /** Returns the trimmed value, or the default when unset. */
  string(name: string, defaultValue: string): string {
    return this.optionalString(name) ?? defaultValue;
  }

  /** Returns the value, or records a problem and returns `undefined` when unset. */
  requiredString(name: string, fix: string): string | undefined {
    const value = this.optionalString(name);
    if (value === undefined) {
      this.addProblem(name, 'is not set.', fix);
    }

    return value;
  }

  /** Parses a whole decimal number within `[min, max]`. */
  integer(name: string, defaultValue: number, options: IntegerOptions): number {
    const text = this.optionalString(name);
    if (text === undefined) {
      return defaultValue;
    }

    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < options.min || value > options.max) {
      this.addProblem(
        name,
        `${quote(text)} is not a whole number from ${options.min} to ${options.max}.`,
        `Set it to a whole number (${options.unit}, default ${defaultValue}).`,
      );

      return defaultValue;
    }

    return value;
  }

  /** Parses `true` or `false` (any case). */
  boolean(name: string, defaultValue: boolean): boolean {
    const text = this.optionalString(name)?.toLowerCase();
    if (text === undefined) {
      return defaultValue;
    }
    if (text === 'true' || text === 'false') {
      return text === 'true';
    }

    this.addProblem(
      name,
      `${quote(text)} is not a boolean.`,
      `Set it to true or false (default ${defaultValue}).`,
    );

    return defaultValue;
  }

  /** Splits a comma-separated list, dropping blank items. */
  list(name: string, defaultValue: readonly string[]): readonly string[] {
    const text = this.optionalString(name);
    if (text === undefined) {
      return defaultValue;
    }

    return text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** Parses an absolute `http:` or `https:` URL. */
  httpUrl(name: string, value: string, fix: string): URL | undefined {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.addProblem(name, `${quote(value)} is not a valid URL.`, fix);

      return undefined;
    }

    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.addProblem(name, `${quote(value)} is not an http(s) URL.`, fix);

      return undefined;
    }

    return url;
  }

  /** Returns one of the allowed values. */
  oneOf<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T {
    const text = this.optionalString(name);
    if (text === undefined) {
      return defaultValue;
    }
    if ((allowed as readonly string[]).includes(text)) {
      return text as T;
    }

    this.addProblem(
      name,
      `${quote(text)} is not supported.`,
      `Set it to one of: ${allowed.join(', ')}.`,
    );

    return defaultValue;
  }
}

/** Quotes a value for a problem line, shortened so a pasted secret or blob stays short. */
export function quote(value: string): string {
  const shortened =
    value.length > MAX_QUOTED_VALUE_LENGTH
      ? `${value.slice(0, MAX_QUOTED_VALUE_LENGTH)}...`
      : value;

  return JSON.stringify(shortened);
}
