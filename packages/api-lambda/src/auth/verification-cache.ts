import { createHash } from 'node:crypto';

import type { VerifiedCaller } from './jwt-verifier';

/** Limits of `VerificationCache`. */
export interface VerificationCacheOptions {
  /** Entries kept at most; the oldest is dropped first. 0 turns the cache off. */
  readonly maxEntries: number;
  /** Maximum time an entry is used, in seconds, even when the token lives longer. */
  readonly maxAgeSeconds: number;
}

/** One successful verification: its result, the key that verified it, and when it stops counting. */
export interface CachedVerification {
  readonly caller: VerifiedCaller;
  /** The key object the key resolver returned; a hit is used only while it returns the same object. */
  readonly key: unknown;
  readonly expiresAtMs: number;
}

/**
 * Successful verifications of identical token strings, keyed by the token's
 * SHA-256. An identical string has the same header, claims and signature, so
 * only time and the key set can change the outcome. An entry therefore ends
 * at the token's `exp` or after `maxAgeSeconds`, whichever comes first. The
 * verifier also uses it only while the key resolver returns the same key.
 */
export class VerificationCache {
  readonly #options: VerificationCacheOptions;
  readonly #now: () => number;
  readonly #entries = new Map<string, CachedVerification>();

  constructor(options: VerificationCacheOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Returns the unexpired entry of a token, by its `tokenId`, or `undefined`. */
  get(id: string): CachedVerification | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) {
      return undefined;
    }

    // Precondition: the entry is used only before the token's exp and the cache's max age.
    if (this.#now() >= entry.expiresAtMs) {
      this.#entries.delete(id);
      return undefined;
    }

    return entry;
  }

  /** Stores a token's verification, by its `tokenId`, until `exp` (seconds since the epoch, when set) or the max age. */
  set(id: string, caller: VerifiedCaller, key: unknown, exp: number | undefined): void {
    if (this.#options.maxEntries === 0) {
      return;
    }

    const now = this.#now();
    const maxAgeEnd = now + this.#options.maxAgeSeconds * 1000;
    const expiresAtMs = exp === undefined ? maxAgeEnd : Math.min(maxAgeEnd, exp * 1000);
    if (expiresAtMs <= now) {
      return;
    }

    this.#evictForOneMore();
    this.#entries.set(id, { caller, key, expiresAtMs });
  }

  /** Forgets a token, by its `tokenId`, such as one whose key changed. */
  delete(id: string): void {
    this.#entries.delete(id);
  }

  #evictForOneMore(): void {
    while (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) {
        return;
      }
      this.#entries.delete(oldest.value);
    }
  }
}

/** Returns the cache key of a token: its SHA-256, so the cache contains no token. */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
