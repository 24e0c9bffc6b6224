import { EnvironmentReader, quote, type Environment } from './environment-reader';

/** Runtime of the service: AWS Lambda, or the local Node.js server (`npm start`). */
export type RuntimeMode = 'lambda' | 'local';

/** Provider names that `KEY_SHARE_CIPHER` and `KEY_SHARE_CIPHER_DECRYPT_ONLY` accept. */
export const PROVIDER_NAMES = ['aws-kms', 'pkcs11', 'software'] as const;

/** A provider name from `PROVIDER_NAMES`. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The vendor's production JWKS, the default of `JWKS_URL` in Lambda. */
export const DEFAULT_JWKS_URL = 'https://assets.auth.magic.link/split-key/.well-known/jwks.json';

/** The vendor's production origin, the default of `CORS_ALLOW_ORIGINS`. */
export const DEFAULT_CORS_ORIGIN = 'https://auth.magic.link';

/** JWS algorithms that `JWT_ALGORITHMS` accepts: asymmetric signatures only. */
export const SUPPORTED_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** Providers that the API composes. */
export interface CipherSelection {
  /** `KEY_SHARE_CIPHER`: encrypts every new ciphertext. Default `aws-kms` in Lambda, `software` locally. */
  readonly primary: ProviderName;
  /** `KEY_SHARE_CIPHER_DECRYPT_ONLY`: providers kept only to decrypt older ciphertexts. Default none. */
  readonly decryptOnly: readonly ProviderName[];
}

/** Source of the public keys that verify tokens. */
export type JwksSource =
  /** `JWKS_URL`, fetched and cached. */
  | { readonly kind: 'remote'; readonly url: URL }
  /** Local server without `JWKS_URL`: a development key pair in a git-ignored file. */
  | { readonly kind: 'development' };

/** JWT verification settings. */
export interface AuthConfig {
  readonly jwks: JwksSource;
  /** `JWT_ALGORITHMS`: accepted `alg` values. Default `RS256`. `none` and `HS*` are rejected. */
  readonly algorithms: readonly string[];
  /** `JWT_ISSUER`: required `iss` claim. Default: not checked. */
  readonly issuer?: string;
  /** `JWT_AUDIENCE`: required `aud` claim. Default: not checked. */
  readonly audience?: string;
  /** `JWT_CLOCK_TOLERANCE_SECONDS`: leeway for `exp` and `nbf`, in seconds. Default 0. */
  readonly clockToleranceSeconds: number;
  /** `JWKS_TIMEOUT_MS`: timeout of one JWKS fetch, in milliseconds. Default 3000. */
  readonly jwksTimeoutMs: number;
  /** `JWKS_CACHE_MAX_AGE_SECONDS`: how long a fetched JWKS is used before a refetch, in seconds. Default 600. */
  readonly jwksCacheMaxAgeSeconds: number;
  /**
   * `JWKS_COOLDOWN_SECONDS`: minimum time between two refetches caused by an
   * unknown key id, in seconds. Default 30.
   */
  readonly jwksCooldownSeconds: number;
  /** `JWT_CACHE_MAX_ENTRIES`: successful verifications of identical tokens kept; 0 turns the cache off. Default 10000. */
  readonly verificationCacheMaxEntries: number;
  /** `JWT_CACHE_MAX_AGE_SECONDS`: longest time a cached verification is used, in seconds. Default 60. */
  readonly verificationCacheMaxAgeSeconds: number;
}

/** Allowed CORS origins: a list, or any origin (`*`, only when configured explicitly). */
export type CorsOrigins =
  { readonly kind: 'any' } | { readonly kind: 'list'; readonly origins: readonly string[] };

/** Validated configuration of the API itself. Provider settings are parsed by each provider module. */
export interface ApiConfig {
  readonly mode: RuntimeMode;
  readonly cipher: CipherSelection;
  readonly auth: AuthConfig;
  /** `CORS_ALLOW_ORIGINS`: comma-separated origins, or `*`. Default `https://auth.magic.link`. */
  readonly corsOrigins: CorsOrigins;
  /** `MAX_BODY_BYTES`: largest request body accepted, in bytes. Default 65536. */
  readonly maxBodyBytes: number;
  /** `DEEP_HEALTH_CHECK`: whether `GET /healthz?deep=true` checks the providers. Default true. */
  readonly deepHealthCheck: boolean;
  /** `PORT`: TCP port of the local server. Default 8080. Unused in Lambda. */
  readonly port: number;
  /** `HOST`: listen address of the local server. Default 127.0.0.1. Unused in Lambda. */
  readonly host: string;
  /** `POWERTOOLS_SERVICE_NAME`: service name in logs and metrics. Default `split-kms`. */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`: CloudWatch metrics namespace. Default `SplitKMS`. */
  readonly metricsNamespace: string;
}

const LOCAL_DEFAULT_PROVIDER: ProviderName = 'software';
const LAMBDA_DEFAULT_PROVIDER: ProviderName = 'aws-kms';
const JWKS_URL_FIX = 'Set it to the JWKS address of your token issuer.';

/**
 * Reads the API's configuration from environment variables. Problems are
 * recorded on `reader` (one line per variable) rather than thrown, so the
 * caller can add the providers' problems and throw them all at once.
 */
export function readApiConfig(reader: EnvironmentReader, mode: RuntimeMode): ApiConfig {
  return {
    mode,
    cipher: readCipherSelection(reader, mode),
    auth: readAuthConfig(reader, mode),
    corsOrigins: readCorsOrigins(reader),
    maxBodyBytes: reader.integer('MAX_BODY_BYTES', 65_536, {
      min: 1024,
      max: 10 * 1024 * 1024,
      unit: 'bytes',
    }),
    deepHealthCheck: reader.boolean('DEEP_HEALTH_CHECK', true),
    port: reader.integer('PORT', 8080, { min: 0, max: 65_535, unit: 'TCP port' }),
    host: reader.string('HOST', '127.0.0.1'),
    serviceName: reader.string('POWERTOOLS_SERVICE_NAME', 'split-kms'),
    metricsNamespace: reader.string('POWERTOOLS_METRICS_NAMESPACE', 'SplitKMS'),
  };
}

/** Reads the API configuration alone, for callers that compose no providers. */
export function parseApiConfig(
  env: Environment,
  mode: RuntimeMode,
): { config: ApiConfig; problems: readonly string[] } {
  const reader = new EnvironmentReader(env);
  const config = readApiConfig(reader, mode);

  return { config, problems: reader.problems };
}

function readCipherSelection(reader: EnvironmentReader, mode: RuntimeMode): CipherSelection {
  const defaultPrimary = mode === 'local' ? LOCAL_DEFAULT_PROVIDER : LAMBDA_DEFAULT_PROVIDER;
  const primary = reader.oneOf('KEY_SHARE_CIPHER', PROVIDER_NAMES, defaultPrimary);
  const decryptOnly: ProviderName[] = [];

  for (const name of reader.list('KEY_SHARE_CIPHER_DECRYPT_ONLY', [])) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(name)) {
      reader.addProblem(
        'KEY_SHARE_CIPHER_DECRYPT_ONLY',
        `${quote(name)} is not a provider.`,
        `List only these names, comma-separated: ${PROVIDER_NAMES.join(', ')}.`,
      );
    } else if (name === primary || decryptOnly.includes(name as ProviderName)) {
      reader.addProblem(
        'KEY_SHARE_CIPHER_DECRYPT_ONLY',
        `${quote(name)} is listed twice or is already KEY_SHARE_CIPHER.`,
        'List each decrypt-only provider once, and not the primary provider.',
      );
    } else {
      decryptOnly.push(name as ProviderName);
    }
  }

  return { primary, decryptOnly };
}

function readAuthConfig(reader: EnvironmentReader, mode: RuntimeMode): AuthConfig {
  const issuer = reader.optionalString('JWT_ISSUER');
  const audience = reader.optionalString('JWT_AUDIENCE');

  return {
    jwks: readJwksSource(reader, mode),
    algorithms: readAlgorithms(reader),
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
    clockToleranceSeconds: reader.integer('JWT_CLOCK_TOLERANCE_SECONDS', 0, {
      min: 0,
      max: 300,
      unit: 'seconds',
    }),
    jwksTimeoutMs: reader.integer('JWKS_TIMEOUT_MS', 3000, {
      min: 100,
      max: 30_000,
      unit: 'milliseconds',
    }),
    jwksCacheMaxAgeSeconds: reader.integer('JWKS_CACHE_MAX_AGE_SECONDS', 600, {
      min: 0,
      max: 86_400,
      unit: 'seconds',
    }),
    jwksCooldownSeconds: reader.integer('JWKS_COOLDOWN_SECONDS', 30, {
      min: 0,
      max: 3600,
      unit: 'seconds',
    }),
    verificationCacheMaxEntries: reader.integer('JWT_CACHE_MAX_ENTRIES', 10_000, {
      min: 0,
      max: 1_000_000,
      unit: 'entries',
    }),
    verificationCacheMaxAgeSeconds: reader.integer('JWT_CACHE_MAX_AGE_SECONDS', 60, {
      min: 1,
      max: 300,
      unit: 'seconds',
    }),
  };
}

function readJwksSource(reader: EnvironmentReader, mode: RuntimeMode): JwksSource {
  const text = reader.optionalString('JWKS_URL');
  if (text === undefined && mode === 'local') {
    return { kind: 'development' };
  }

  const url = reader.httpUrl('JWKS_URL', text ?? DEFAULT_JWKS_URL, JWKS_URL_FIX);

  return { kind: 'remote', url: url ?? new URL(DEFAULT_JWKS_URL) };
}

function readAlgorithms(reader: EnvironmentReader): readonly string[] {
  const algorithms = reader.list('JWT_ALGORITHMS', ['RS256']);
  const fix = `Set it to asymmetric algorithms only, comma-separated, from: ${SUPPORTED_JWT_ALGORITHMS.join(', ')}.`;

  if (algorithms.length === 0) {
    reader.addProblem('JWT_ALGORITHMS', 'lists no algorithm.', fix);
  }
  for (const algorithm of algorithms) {
    if (algorithm.toLowerCase() === 'none' || algorithm.toUpperCase().startsWith('HS')) {
      reader.addProblem(
        'JWT_ALGORITHMS',
        `${quote(algorithm)} is not allowed: it lets anyone forge tokens.`,
        fix,
      );
    } else if (!(SUPPORTED_JWT_ALGORITHMS as readonly string[]).includes(algorithm)) {
      reader.addProblem('JWT_ALGORITHMS', `${quote(algorithm)} is not a supported algorithm.`, fix);
    }
  }

  return algorithms.length === 0 ? ['RS256'] : algorithms;
}

function readCorsOrigins(reader: EnvironmentReader): CorsOrigins {
  const origins = reader.list('CORS_ALLOW_ORIGINS', [DEFAULT_CORS_ORIGIN]);
  const fix =
    'Set it to comma-separated origins such as https://auth.magic.link, or to * alone for any origin.';

  if (origins.includes('*')) {
    if (origins.length > 1) {
      reader.addProblem('CORS_ALLOW_ORIGINS', 'mixes * with other origins.', fix);
    }

    return { kind: 'any' };
  }
  if (origins.length === 0) {
    reader.addProblem('CORS_ALLOW_ORIGINS', 'lists no origin.', fix);

    return { kind: 'list', origins: [DEFAULT_CORS_ORIGIN] };
  }
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      reader.addProblem(
        'CORS_ALLOW_ORIGINS',
        `${quote(origin)} is not an origin (scheme://host[:port]).`,
        fix,
      );
    }
  }

  return { kind: 'list', origins };
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);

    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}
