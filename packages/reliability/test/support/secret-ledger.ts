import { randomUUID } from 'node:crypto';

/** Characters that separate a secret from the text around it in a JSON log line. */
const FRAGMENT_SEPARATORS = /[\s"',:;{}[\]\\=()<>]+/u;

/**
 * Secret values that a suite sent or used (tokens, sentinel claims,
 * plaintexts, ciphertexts, PINs, key material), and a check that no captured
 * log line contains any of them.
 */
export class SecretLedger {
  readonly #secrets = new Map<string, string>();

  /** Records a secret under a kind, such as `token` or `plaintext`. Values under 8 characters are ignored, because they match by chance. */
  add(kind: string, value: string): void {
    if (value.length >= 8) {
      this.#secrets.set(value, kind);
    }
  }

  /** Records several secrets of one kind. */
  addAll(kind: string, values: Iterable<string>): void {
    for (const value of values) {
      this.add(kind, value);
    }
  }

  get size(): number {
    return this.#secrets.size;
  }

  /**
   * Like `findLeaks`, but fast enough for the many lines and secrets of a
   * load run: it cuts each line at characters that no recorded secret
   * contains (quotes, blanks, JSON punctuation, `=`) and looks each fragment
   * up. A secret glued to other text without such a character is missed,
   * which `findLeaks` would find.
   */
  findLeaksByFragment(lines: readonly string[]): string[] {
    const byFragment = new Map<string, string>();
    for (const [value, kind] of this.#secrets) {
      byFragment.set(value.replace(/=+$/u, ''), kind);
    }

    const leaks: string[] = [];
    lines.forEach((line, index) => {
      for (const fragment of line.split(FRAGMENT_SEPARATORS)) {
        const kind = byFragment.get(fragment);
        if (kind !== undefined) {
          leaks.push(`${kind} in log line ${index}`);
        }
      }
    });

    return leaks;
  }

  /** Returns one `kind in line N` entry per log line that contains a secret; empty when none does. */
  findLeaks(lines: readonly string[]): string[] {
    const leaks: string[] = [];
    lines.forEach((line, index) => {
      for (const [value, kind] of this.#secrets) {
        if (line.includes(value)) {
          leaks.push(`${kind} in log line ${index}`);
        }
      }
    });

    return leaks;
  }
}

/** Returns a distinct, recognisable plaintext that cannot appear in a log line by chance. */
export function sentinelPlaintext(label: string): string {
  return `share-${label}-${randomUUID()}`;
}

/**
 * Returns the indexes of ERROR and WARN lines logged while serving a request
 * that carry no `requestId`. Start-up lines (provider connected, development
 * key warning) have no request and are recognised by their `provider` field
 * without an `operation`.
 */
export function requestErrorsWithoutId(lines: readonly string[]): number[] {
  const missing: number[] = [];
  lines.forEach((line, index) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const level = String(entry['level']);
    const isStartup = entry['operation'] === undefined && entry['provider'] !== undefined;
    if ((level === 'ERROR' || level === 'WARN') && !isStartup && entry['requestId'] === undefined) {
      missing.push(index);
    }
  });

  return missing;
}
