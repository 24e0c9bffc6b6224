import type { AwsKmsKeyShareCipherOptions, AwsKmsMode } from '@split-kms/provider-aws-kms';

import { EnvironmentReader } from '../../config/environment-reader';
import type { ProviderModule } from './provider-module';

/** Settings of the AWS KMS provider, as the provider's own options. */
export type AwsKmsProviderConfig = AwsKmsKeyShareCipherOptions;

const MODES: readonly AwsKmsMode[] = ['direct', 'envelope'];
const MAX_TIMEOUT_MS = 600_000;
const DEFAULT_CACHE_MAX_AGE_SECONDS = 300;
const DEFAULT_CACHE_MAX_MESSAGES = 1000;
const DEFAULT_CACHE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * AWS KMS: direct `Encrypt`/`Decrypt` (raw blobs, compatible with the earlier
 * service) or envelope mode (AWS Encryption SDK messages, optional data-key
 * cache). Whatever the mode, the provider also decrypts the other mode's
 * format, so changing `KMS_MODE` strands no ciphertext.
 */
export const awsKmsProvider: ProviderModule<AwsKmsProviderConfig> = {
  name: 'aws-kms',

  parseConfig(env) {
    const reader = new EnvironmentReader(env);
    const keyId = reader.requiredString(
      'DKMS_KMS_KEY_ID',
      'Set it to the id, ARN or alias of the KMS key that encrypts, such as alias/dkms-customer-key-prod.',
    );
    const decryptKeyIds = reader.list('KMS_DECRYPT_KEY_IDS', []);
    const region = reader.optionalString('AWS_REGION');
    const endpoint = readEndpoint(reader);
    const mode = reader.oneOf('KMS_MODE', MODES, 'direct');
    const connectTimeoutMs = reader.integer('KMS_CONNECT_TIMEOUT_MS', 2000, {
      min: 1,
      max: MAX_TIMEOUT_MS,
      unit: 'milliseconds',
    });
    const requestTimeoutMs = reader.integer('KMS_REQUEST_TIMEOUT_MS', 5000, {
      min: 1,
      max: MAX_TIMEOUT_MS,
      unit: 'milliseconds',
    });
    const maxAttempts = reader.integer('KMS_MAX_ATTEMPTS', 3, {
      min: 1,
      max: 10,
      unit: 'attempts',
    });
    const cache = readCache(reader, mode);

    if (reader.problems.length > 0 || keyId === undefined) {
      return { problems: reader.problems };
    }

    return {
      config: {
        keyId,
        decryptKeyIds,
        mode,
        connectTimeoutMs,
        requestTimeoutMs,
        maxAttempts,
        ...(region === undefined ? {} : { region }),
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(cache === undefined ? {} : { cache }),
      },
    };
  },

  async create(config, { logger }) {
    const { createAwsKmsRouter } = await import('@split-kms/provider-aws-kms');
    const cipher = await createAwsKmsRouter(config);

    logger.info('Connected to AWS KMS.', {
      provider: 'aws-kms',
      mode: config.mode,
      keyId: config.keyId,
      decryptKeyIds: config.decryptKeyIds,
      region: config.region,
      endpoint: config.endpoint,
      cache: config.cache !== undefined,
    });

    return cipher;
  },
};

/** `AWS_ENDPOINT_URL_KMS`, the SDK's standard variable, read here so it is validated at start-up. */
function readEndpoint(reader: EnvironmentReader): string | undefined {
  const text = reader.optionalString('AWS_ENDPOINT_URL_KMS');
  if (text === undefined) {
    return undefined;
  }

  const url = reader.httpUrl(
    'AWS_ENDPOINT_URL_KMS',
    text,
    'Set it to the KMS endpoint URL, such as http://127.0.0.1:5000 for a local emulator, or unset it.',
  );

  return url === undefined ? undefined : text;
}

/** Reads the data-key cache settings. The cache is on when `KMS_CACHE_CAPACITY` is above 0, in envelope mode only. */
function readCache(
  reader: EnvironmentReader,
  mode: AwsKmsMode,
): AwsKmsKeyShareCipherOptions['cache'] {
  const capacity = reader.integer('KMS_CACHE_CAPACITY', 0, {
    min: 0,
    max: 1_000_000,
    unit: 'entries',
  });
  const maxAgeSeconds = reader.integer('KMS_CACHE_MAX_AGE_SECONDS', DEFAULT_CACHE_MAX_AGE_SECONDS, {
    min: 1,
    max: 86_400,
    unit: 'seconds',
  });
  const maxMessagesPerDataKey = reader.integer(
    'KMS_CACHE_MAX_MESSAGES',
    DEFAULT_CACHE_MAX_MESSAGES,
    {
      min: 1,
      max: 2 ** 32,
      unit: 'messages',
    },
  );
  const maxBytesPerDataKey = reader.integer('KMS_CACHE_MAX_BYTES', DEFAULT_CACHE_MAX_BYTES, {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'bytes',
  });

  if (capacity === 0) {
    return undefined;
  }
  if (mode !== 'envelope') {
    reader.addProblem(
      'KMS_CACHE_CAPACITY',
      'is set, but the data-key cache works in envelope mode only.',
      'Set KMS_MODE=envelope, or set KMS_CACHE_CAPACITY=0.',
    );

    return undefined;
  }

  return { capacity, maxAgeSeconds, maxMessagesPerDataKey, maxBytesPerDataKey };
}
