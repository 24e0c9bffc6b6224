/**
 * Defaults that protect a deployment. A customer may override each one, and
 * synthesis then prints a warning that names the setting, so that a weaker
 * value never goes unnoticed in review.
 */
export const SECURE_DEFAULTS = {
  /** The wallet vendor's production key set. Development and staging keys are at other URLs. */
  jwks_url: 'https://assets.auth.magic.link/split-key/.well-known/jwks.json',

  /** Only the vendor's production origin may call the API from a browser. */
  cors_allow_origins: 'https://auth.magic.link',

  /** One year of function and access logs, long enough for a yearly audit. */
  log_retention_days: 365,

  /** INFO logs outcomes and the wallet id but no request details. */
  log_level: 'INFO',

  /** Requests per second on the default stage, which bounds the KMS bill and the blast radius of a leaked token. */
  throttle_rate_limit: 100,

  /** Burst in requests on the default stage. */
  throttle_burst_limit: 200,
} as const;

export type SecureDefaultName = keyof typeof SECURE_DEFAULTS;

/**
 * Secure settings that are not configurable. They are listed here so that a
 * reviewer finds every security-relevant default in one file.
 */
export const FIXED_SECURE_SETTINGS = {
  /** AWS KMS rotates the key material every year and keeps old versions for decrypting. */
  keyRotation: true,

  /** The key outlives the stack: deleting it would make every stored share undecryptable. */
  keyRemovalPolicy: 'retain',

  /** The only encryption context key that the key policy allows in direct mode. */
  encryptionContextKey: 'ewi',

  /** X-Ray tracing on the function, which records timings but no payloads. */
  tracing: 'active',

  /** Minimum TLS version on a custom domain. */
  minimumTlsVersion: '1.2',
} as const;
