/** Output format of the provider: raw KMS blobs or AWS Encryption SDK messages. */
export type AwsKmsMode = 'direct' | 'envelope';

/** Data-key caching of envelope mode (the AWS Encryption SDK's caching materials manager). */
export interface AwsKmsCacheOptions {
  /** Seconds a data key stays in the cache. Must be positive. */
  readonly maxAgeSeconds: number;
  /** Messages encrypted under one cached data key, at most. @default 1000 */
  readonly maxMessagesPerDataKey?: number;
  /** Plaintext bytes encrypted under one cached data key, at most. @default 4194304 (4 MiB) */
  readonly maxBytesPerDataKey?: number;
  /** Entries (encryption and decryption materials) the cache holds. @default 1000 */
  readonly capacity?: number;
}

/** Options of `createAwsKmsKeyShareCipher`. The provider never reads environment variables. */
export interface AwsKmsKeyShareCipherOptions {
  /** Key that encrypts: key id, key ARN, alias name (`alias/...`) or alias ARN. */
  readonly keyId: string;
  /**
   * Further keys accepted for decryption only (after a rotation or a move
   * between accounts), in any form `keyId` accepts. @default []
   */
  readonly decryptKeyIds?: readonly string[];
  /**
   * `direct`: KMS `Encrypt`/`Decrypt`, output is the raw KMS `CiphertextBlob`.
   * `envelope`: AWS Encryption SDK messages under a KMS data key. @default 'direct'
   */
  readonly mode?: AwsKmsMode;
  /** AWS region. @default the SDK's own resolution (`AWS_REGION`, profile) */
  readonly region?: string;
  /** KMS endpoint URL, such as a local emulator. @default the SDK's own resolution (`AWS_ENDPOINT_URL_KMS`) */
  readonly endpoint?: string;
  /** Milliseconds to wait for a TCP connection to KMS. @default 2000 */
  readonly connectTimeoutMs?: number;
  /** Milliseconds to wait for one KMS response. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Attempts per KMS call, the first one included (SDK standard retry mode). @default 3 */
  readonly maxAttempts?: number;
  /** Envelope mode only: cache data keys. @default no cache (one KMS call per operation) */
  readonly cache?: AwsKmsCacheOptions;
}

/** Options after validation, with defaults applied. */
export interface ResolvedAwsKmsOptions {
  readonly keyId: string;
  readonly decryptKeyIds: readonly string[];
  readonly mode: AwsKmsMode;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly cache: Required<AwsKmsCacheOptions> | undefined;
}

/** Largest plaintext accepted in both modes, in bytes (the AWS KMS `Encrypt` limit). */
export const AWS_KMS_MAX_PLAINTEXT_BYTES = 4096;

const MAX_TIMEOUT_MS = 600_000;
const MAX_ATTEMPTS = 10;

/**
 * Checks options and applies defaults.
 *
 * @throws TypeError naming the first invalid option.
 */
export function resolveAwsKmsOptions(options: AwsKmsKeyShareCipherOptions): ResolvedAwsKmsOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('AWS KMS provider options must be an object.');
  }

  const keyId = checkKeyId(options.keyId, '"keyId"');
  const decryptKeyIds = checkDecryptKeyIds(options.decryptKeyIds, keyId);
  const mode = options.mode ?? 'direct';
  if (mode !== 'direct' && mode !== 'envelope') {
    throw new TypeError('"mode" option must be "direct" or "envelope".');
  }
  if (options.cache !== undefined && mode !== 'envelope') {
    throw new TypeError(
      '"cache" option applies to envelope mode only; remove it or set "mode" to "envelope".',
    );
  }

  return Object.freeze({
    keyId,
    decryptKeyIds,
    mode,
    region: checkOptionalText(options.region, '"region"'),
    endpoint: checkEndpoint(options.endpoint),
    connectTimeoutMs: checkInteger(
      options.connectTimeoutMs ?? 2000,
      '"connectTimeoutMs"',
      1,
      MAX_TIMEOUT_MS,
    ),
    requestTimeoutMs: checkInteger(
      options.requestTimeoutMs ?? 5000,
      '"requestTimeoutMs"',
      1,
      MAX_TIMEOUT_MS,
    ),
    maxAttempts: checkInteger(options.maxAttempts ?? 3, '"maxAttempts"', 1, MAX_ATTEMPTS),
    cache: options.cache === undefined ? undefined : checkCache(options.cache),
  });
}

function checkKeyId(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${name} option must be a KMS key id, key ARN, alias name or alias ARN.`);
  }
  if (value !== value.trim() || /\s/u.test(value)) {
    throw new TypeError(`${name} option must not contain spaces.`);
  }

  return value;
}

function checkDecryptKeyIds(value: unknown, keyId: string): readonly string[] {
  if (value === undefined) {
    return Object.freeze([]);
  }
  if (!Array.isArray(value)) {
    throw new TypeError('"decryptKeyIds" option must be an array of KMS key ids.');
  }

  const ids = value.map((id, index) => checkKeyId(id, `"decryptKeyIds[${index}]"`));
  if (new Set([keyId, ...ids]).size !== ids.length + 1) {
    throw new TypeError('"decryptKeyIds" option must not repeat a key or contain "keyId".');
  }

  return Object.freeze(ids);
}

function checkOptionalText(value: unknown, name: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${name} option must be a non-empty string when set.`);
  }

  return value;
}

function checkEndpoint(value: unknown): string | undefined {
  const endpoint = checkOptionalText(value, '"endpoint"');
  if (endpoint === undefined) {
    return undefined;
  }

  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError('"endpoint" option must be an absolute http or https URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('"endpoint" option must be an absolute http or https URL.');
  }

  return endpoint;
}

function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} option must be an integer from ${min} to ${max}.`);
  }

  return value;
}

function checkCache(cache: AwsKmsCacheOptions): Required<AwsKmsCacheOptions> {
  if (typeof cache !== 'object' || cache === null) {
    throw new TypeError('"cache" option must be an object.');
  }

  return Object.freeze({
    maxAgeSeconds: checkPositiveNumber(cache.maxAgeSeconds, '"cache.maxAgeSeconds"'),
    maxMessagesPerDataKey: checkInteger(
      cache.maxMessagesPerDataKey ?? 1000,
      '"cache.maxMessagesPerDataKey"',
      1,
      2 ** 32,
    ),
    maxBytesPerDataKey: checkInteger(
      cache.maxBytesPerDataKey ?? 4 * 1024 * 1024,
      '"cache.maxBytesPerDataKey"',
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    capacity: checkInteger(cache.capacity ?? 1000, '"cache.capacity"', 1, 1_000_000),
  });
}

function checkPositiveNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} option must be a positive number of seconds.`);
  }

  return value;
}
