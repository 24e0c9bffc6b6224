import { InvalidEncryptionContextError } from './errors';

/**
 * A string map bound into every ciphertext, such as `{ ewi: "<wallet id>" }`.
 * Decryption succeeds only with exactly the context used to encrypt.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Maximum number of pairs in a context. */
export const MAX_CONTEXT_ENTRIES = 32;

/** Maximum size of the canonical encoding, in bytes (AWS KMS allows 8,192 characters). */
export const MAX_CONTEXT_ENCODED_BYTES = 8192;

/** Key prefix that the AWS Encryption SDK reserves for entries it adds itself. */
export const RESERVED_CONTEXT_KEY_PREFIX = 'aws-crypto-';

const MAX_FIELD_BYTES = 0xffff;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Checks that a value is a valid encryption context and returns a frozen copy.
 *
 * @throws InvalidEncryptionContextError naming the offending key (never a value).
 */
export function validateEncryptionContext(context: unknown): EncryptionContext {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new InvalidEncryptionContextError('Encryption context must be an object of strings.');
  }

  const entries = Object.entries(context as Record<string, unknown>);
  if (entries.length === 0) {
    throw new InvalidEncryptionContextError('Encryption context must have at least one entry.');
  }
  if (entries.length > MAX_CONTEXT_ENTRIES) {
    throw new InvalidEncryptionContextError(
      `Encryption context has ${entries.length} entries; the maximum is ${MAX_CONTEXT_ENTRIES}.`,
    );
  }

  for (const [key, value] of entries) {
    checkKey(key);
    checkValue(key, value);
  }

  // Object.fromEntries defines own properties, so a key such as "__proto__" stays a plain entry.
  const frozen: EncryptionContext = Object.freeze(
    Object.fromEntries(entries as [string, string][]),
  );
  const size = encodeEncryptionContext(frozen).length;
  if (size > MAX_CONTEXT_ENCODED_BYTES) {
    throw new InvalidEncryptionContextError(
      `Encryption context encodes to ${size} bytes; the maximum is ${MAX_CONTEXT_ENCODED_BYTES}.`,
    );
  }

  return frozen;
}

function checkKey(key: string): void {
  if (key.length === 0) {
    throw new InvalidEncryptionContextError('Encryption context keys must not be empty.');
  }
  if (!key.isWellFormed()) {
    throw new InvalidEncryptionContextError('Encryption context keys must be well-formed Unicode.');
  }
  if (key.startsWith(RESERVED_CONTEXT_KEY_PREFIX)) {
    throw new InvalidEncryptionContextError(
      `Encryption context key "${key}" uses the reserved prefix "${RESERVED_CONTEXT_KEY_PREFIX}".`,
    );
  }
}

function checkValue(key: string, value: unknown): void {
  if (typeof value !== 'string') {
    throw new InvalidEncryptionContextError(
      `Encryption context value of "${key}" must be a string.`,
    );
  }
  if (value.length === 0) {
    throw new InvalidEncryptionContextError(
      `Encryption context value of "${key}" must not be empty.`,
    );
  }
  if (!value.isWellFormed()) {
    throw new InvalidEncryptionContextError(
      `Encryption context value of "${key}" must be well-formed Unicode.`,
    );
  }
}

/**
 * Encodes a context canonically, for use as additional authenticated data.
 *
 * Layout (all integers unsigned 16-bit big-endian):
 * `count`, then per pair sorted by the key's UTF-8 bytes:
 * `keyLength`, key UTF-8, `valueLength`, value UTF-8.
 * The same context always yields the same bytes, and two different contexts
 * never do. The caller validates the context first.
 */
export function encodeEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs = Object.entries(context).map(([key, value]) => [
    utf8.encode(key),
    utf8.encode(value),
  ]);
  pairs.sort(([a], [b]) => compareBytes(a!, b!));

  const chunks: Uint8Array[] = [uint16(pairs.length)];
  for (const [key, value] of pairs) {
    chunks.push(uint16(fieldLength(key!)), key!, uint16(fieldLength(value!)), value!);
  }

  return concatBytes(chunks);
}

/**
 * Decodes the canonical encoding back into a context.
 *
 * @throws InvalidEncryptionContextError when the bytes are not a canonical encoding
 *   of a valid context (truncated, trailing bytes, unsorted or duplicate keys, bad UTF-8).
 */
export function decodeEncryptionContext(bytes: Uint8Array): EncryptionContext {
  const reader = new ContextReader(bytes);
  const count = reader.uint16();
  const entries: [string, string][] = [];
  let previousKey: Uint8Array | undefined;

  for (let index = 0; index < count; index += 1) {
    const key = reader.field();
    if (previousKey !== undefined && compareBytes(previousKey, key) >= 0) {
      throw new InvalidEncryptionContextError('Encoded context keys are not in canonical order.');
    }
    previousKey = key;
    entries.push([reader.text(key), reader.text(reader.field())]);
  }

  reader.expectEnd();

  return validateEncryptionContext(Object.fromEntries(entries));
}

/** Compares two byte arrays lexicographically, as unsigned bytes. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) {
      return difference;
    }
  }

  return a.length - b.length;
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }

  return out;
}

function fieldLength(field: Uint8Array): number {
  if (field.length > MAX_FIELD_BYTES) {
    throw new InvalidEncryptionContextError(
      'Encryption context entry is longer than 65,535 bytes.',
    );
  }

  return field.length;
}

function uint16(value: number): Uint8Array {
  return Uint8Array.of(value >>> 8, value & 0xff);
}

class ContextReader {
  #offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  uint16(): number {
    const high = this.bytes[this.#offset];
    const low = this.bytes[this.#offset + 1];
    if (high === undefined || low === undefined) {
      throw new InvalidEncryptionContextError('Encoded context is truncated.');
    }
    this.#offset += 2;

    return (high << 8) | low;
  }

  field(): Uint8Array {
    const length = this.uint16();
    if (this.#offset + length > this.bytes.length) {
      throw new InvalidEncryptionContextError('Encoded context is truncated.');
    }
    const field = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;

    return field;
  }

  text(field: Uint8Array): string {
    try {
      return strictUtf8.decode(field);
    } catch {
      throw new InvalidEncryptionContextError('Encoded context is not valid UTF-8.');
    }
  }

  expectEnd(): void {
    if (this.#offset !== this.bytes.length) {
      throw new InvalidEncryptionContextError('Encoded context has trailing bytes.');
    }
  }
}
