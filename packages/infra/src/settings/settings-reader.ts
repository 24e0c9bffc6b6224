import type { SettingName } from './types';

/** A format check: the pattern a value must match and the words that describe it in a message. */
export interface ValueFormat {
  readonly pattern: RegExp;
  readonly description: string;
}

/** Bounds of a numeric setting, inclusive. */
export interface NumberBounds {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/**
 * Reads CDK context values and records one problem per invalid setting
 * instead of throwing, so that synthesis reports every problem at once.
 *
 * Values given with `cdk -c name=value` are strings, values from cdk.json may
 * be numbers, booleans or arrays, so every reader accepts both forms. An empty
 * string counts as not set, as in the earlier service's cdk.json.
 */
export class SettingsReader {
  readonly problems: string[] = [];

  constructor(private readonly context: Readonly<Record<string, unknown>>) {}

  isSet(name: SettingName): boolean {
    const value = this.context[name];

    return value !== undefined && value !== null && value !== '';
  }

  string(name: SettingName, format?: ValueFormat): string | undefined {
    if (!this.isSet(name)) return undefined;
    const value = this.context[name];

    if (typeof value !== 'string') {
      return this.reject(name, value, 'must be a string');
    }

    if (format !== undefined && !format.pattern.test(value)) {
      return this.reject(name, value, `must be ${format.description}`);
    }

    return value;
  }

  list(name: SettingName, format: ValueFormat): string[] | undefined {
    if (!this.isSet(name)) return undefined;
    const value = this.context[name];
    const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;

    if (
      !Array.isArray(items) ||
      items.length === 0 ||
      !items.every((item) => typeof item === 'string')
    ) {
      return this.reject(name, value, 'must be a comma-separated list or an array of strings');
    }

    const invalid = items.filter((item: string) => !format.pattern.test(item));
    if (invalid.length > 0) {
      return this.reject(name, invalid.join(','), `must list only ${format.description}`);
    }

    return items;
  }

  number(name: SettingName, bounds: NumberBounds): number | undefined {
    if (!this.isSet(name)) return undefined;
    const value = this.context[name];
    const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    const kind = bounds.integer ? 'an integer' : 'a number';

    if (
      typeof parsed !== 'number' ||
      !Number.isFinite(parsed) ||
      (bounds.integer && !Number.isInteger(parsed))
    ) {
      return this.reject(name, value, `must be ${kind} from ${bounds.min} to ${bounds.max}`);
    }

    if (parsed < bounds.min || parsed > bounds.max) {
      return this.reject(name, value, `must be ${kind} from ${bounds.min} to ${bounds.max}`);
    }

    return parsed;
  }

  boolean(name: SettingName): boolean | undefined {
    if (!this.isSet(name)) return undefined;
    const value = this.context[name];

    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;

    return this.reject(name, value, 'must be true or false');
  }

  choice<T extends string>(name: SettingName, choices: readonly T[]): T | undefined {
    if (!this.isSet(name)) return undefined;
    const value = this.context[name];

    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      return this.reject(name, value, `must be one of ${choices.join(', ')}`);
    }

    return value as T;
  }

  /** Records a problem that involves more than one setting or a missing one. */
  addProblem(message: string): void {
    this.problems.push(message);
  }

  private reject(name: SettingName, value: unknown, expectation: string): undefined {
    this.problems.push(`${name} ${expectation}, got ${JSON.stringify(value)}.`);

    return undefined;
  }
}
