import { DEFAULTS } from './defaults';
import { FORMATS, LOG_RETENTION_DAYS } from './formats';
import { InvalidSettingsError } from './invalid-settings-error';
import { readHsmSettings } from './read-hsm-settings';
import { SECURE_DEFAULTS, type SecureDefaultName } from './secure-defaults';
import { SettingsReader } from './settings-reader';
import { computeFunctionTimeoutSeconds, MAX_FUNCTION_TIMEOUT_SECONDS } from './timeout-budget';
import {
  SETTING_NAMES,
  type AlarmTarget,
  type DeploymentSettings,
  type KeyShareCipherKind,
  type KmsMode,
  type PowertoolsLogLevel,
} from './types';

/** A secure default that the customer overrode, and the warning about it. */
export interface SecureDefaultOverride {
  readonly setting: SecureDefaultName;
  readonly message: string;
}

/** Validated settings, and one warning for each secure default that the customer overrode. */
export interface LoadedSettings {
  readonly settings: DeploymentSettings;
  readonly warnings: readonly SecureDefaultOverride[];
}

/**
 * Validates every setting, applies the defaults and returns the result.
 *
 * @throws InvalidSettingsError listing every problem, each naming its setting.
 */
export function loadSettings(context: Readonly<Record<string, unknown>>): LoadedSettings {
  const reader = new SettingsReader(context);
  rejectUnknownSettings(reader, context);

  const settings = readSettings(reader);
  checkCombinations(reader, settings);

  if (reader.problems.length > 0) {
    throw new InvalidSettingsError(reader.problems);
  }

  return { settings, warnings: describeSecureDefaultOverrides(settings) };
}

/**
 * Context keys in snake_case are this app's namespace, because CDK's own keys
 * contain a colon or start with "@". A misspelled setting would otherwise be ignored.
 */
function rejectUnknownSettings(
  reader: SettingsReader,
  context: Readonly<Record<string, unknown>>,
): void {
  const known = new Set<string>(SETTING_NAMES);

  for (const name of Object.keys(context)) {
    if (/^[a-z][a-z0-9_]*$/.test(name) && !known.has(name)) {
      reader.addProblem(
        `${name} is not a known setting. See the settings table in packages/infra/README.md.`,
      );
    }
  }
}

function readSettings(reader: SettingsReader): DeploymentSettings {
  const keyShareCipher =
    reader.choice<KeyShareCipherKind>('key_share_cipher', ['aws-kms', 'pkcs11']) ??
    DEFAULTS.key_share_cipher;

  return {
    envName: reader.string('env_name', FORMATS.envName) ?? DEFAULTS.env_name,
    account: reader.string('account', FORMATS.account),
    region: reader.string('region', FORMATS.region),
    keyShareCipher,
    ...readAuthSettings(reader),
    ...readKmsSettings(reader),
    ...readRuntimeSettings(reader),
    domainName: reader.string('domain_name', FORMATS.domainName),
    acmCertArn: reader.string('acm_cert_arn', FORMATS.acmCertArn),
    alarms: readAlarmTarget(reader),
    hsm: readHsmSettings(reader, keyShareCipher === 'pkcs11'),
  };
}

function readAuthSettings(reader: SettingsReader) {
  return {
    jwksUrl: reader.string('jwks_url', FORMATS.httpsUrl) ?? SECURE_DEFAULTS.jwks_url,
    jwtIssuer: reader.string('jwt_issuer', FORMATS.jwtClaim),
    jwtAudience: reader.string('jwt_audience', FORMATS.jwtClaim),
    jwtClockToleranceSeconds: reader.number('jwt_clock_tolerance_seconds', {
      min: 0,
      max: 300,
      integer: true,
    }),
    jwksTimeoutMs:
      reader.number('jwks_timeout_ms', { min: 100, max: 10_000, integer: true }) ??
      DEFAULTS.jwks_timeout_ms,
    corsAllowOrigins: reader.list('cors_allow_origins', FORMATS.origin) ?? [
      SECURE_DEFAULTS.cors_allow_origins,
    ],
  };
}

function readKmsSettings(reader: SettingsReader) {
  return {
    existingKeyArn: reader.string('existing_key_arn', FORMATS.kmsKeyArn),
    kmsDecryptKeyArns: reader.list('kms_decrypt_key_arns', FORMATS.kmsKeyArns) ?? [],
    kmsMode: reader.choice<KmsMode>('kms_mode', ['direct', 'envelope']) ?? DEFAULTS.kms_mode,
    kmsRequestTimeoutMs:
      reader.number('kms_request_timeout_ms', { min: 100, max: 10_000, integer: true }) ??
      DEFAULTS.kms_request_timeout_ms,
    kmsMaxAttempts:
      reader.number('kms_max_attempts', { min: 1, max: 5, integer: true }) ??
      DEFAULTS.kms_max_attempts,
  };
}

function readRuntimeSettings(reader: SettingsReader) {
  return {
    memoryMb:
      reader.number('memory_mb', { min: 128, max: 10_240, integer: true }) ?? DEFAULTS.memory_mb,
    enableSourceMaps: reader.boolean('enable_source_maps') ?? DEFAULTS.enable_source_maps,
    reservedConcurrency: reader.number('reserved_concurrency', {
      min: 1,
      max: 10_000,
      integer: true,
    }),
    logRetentionDays: readLogRetentionDays(reader),
    logLevel:
      reader.choice<PowertoolsLogLevel>('log_level', ['DEBUG', 'INFO', 'WARN', 'ERROR']) ??
      SECURE_DEFAULTS.log_level,
    throttleRateLimit:
      reader.number('throttle_rate_limit', { min: 1, max: 10_000, integer: false }) ??
      SECURE_DEFAULTS.throttle_rate_limit,
    throttleBurstLimit:
      reader.number('throttle_burst_limit', { min: 1, max: 5000, integer: true }) ??
      SECURE_DEFAULTS.throttle_burst_limit,
  };
}

function readLogRetentionDays(reader: SettingsReader): number {
  const days = reader.number('log_retention_days', { min: 1, max: 3653, integer: true });

  if (days !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    reader.addProblem(
      `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${days}.`,
    );
  }

  return days ?? SECURE_DEFAULTS.log_retention_days;
}

function readAlarmTarget(reader: SettingsReader): AlarmTarget {
  const topicArn = reader.string('alarm_topic_arn', FORMATS.snsTopicArn);
  const email = reader.string('alarm_email', FORMATS.email);

  if (topicArn !== undefined && email !== undefined) {
    reader.addProblem(
      'alarm_topic_arn and alarm_email are exclusive. Set one: an existing topic, or an email for a new topic.',
    );
  }

  if (topicArn !== undefined) return { kind: 'topic', topicArn };
  if (email !== undefined) return { kind: 'email', email };

  return { kind: 'none' };
}

function checkCombinations(reader: SettingsReader, settings: DeploymentSettings): void {
  if (reader.isSet('domain_name') && !reader.isSet('acm_cert_arn')) {
    reader.addProblem(
      'domain_name needs acm_cert_arn: set the ARN of an ACM certificate for that domain, in the same region.',
    );
  }

  if (reader.isSet('acm_cert_arn') && !reader.isSet('domain_name')) {
    reader.addProblem(
      'acm_cert_arn is set without domain_name: set the custom domain that the certificate covers.',
    );
  }

  if (!usesKms(settings) && reader.isSet('kms_decrypt_key_arns')) {
    reader.addProblem(
      'kms_decrypt_key_arns is unused with key_share_cipher=pkcs11 unless hsm_decrypt_with_kms=true.',
    );
  }

  if (
    settings.hsm !== undefined &&
    !settings.hsm.decryptWithKms &&
    reader.isSet('existing_key_arn')
  ) {
    reader.addProblem(
      'existing_key_arn is unused with key_share_cipher=pkcs11 unless hsm_decrypt_with_kms=true.',
    );
  }

  checkTimeoutBudget(reader, settings);
}

function checkTimeoutBudget(reader: SettingsReader, settings: DeploymentSettings): void {
  const seconds = computeFunctionTimeoutSeconds({
    jwksTimeoutMs: settings.jwksTimeoutMs,
    kmsRequestTimeoutMs: settings.kmsRequestTimeoutMs,
    kmsMaxAttempts: settings.kmsMaxAttempts,
    usesKms: usesKms(settings),
    usesHsm: settings.hsm !== undefined,
  });

  if (seconds > MAX_FUNCTION_TIMEOUT_SECONDS) {
    reader.addProblem(
      `jwks_timeout_ms, kms_request_timeout_ms and kms_max_attempts add up to a ${seconds} s function timeout, ` +
        `above the ${MAX_FUNCTION_TIMEOUT_SECONDS} s that API Gateway allows. Lower one of them.`,
    );
  }
}

/** Tells whether the function calls AWS KMS: always in the KMS variant, and for old ciphertexts on request in the HSM variant. */
export function usesKms(settings: DeploymentSettings): boolean {
  return settings.hsm === undefined || settings.hsm.decryptWithKms;
}

function describeSecureDefaultOverrides(settings: DeploymentSettings): SecureDefaultOverride[] {
  const actual: Record<SecureDefaultName, string | number> = {
    jwks_url: settings.jwksUrl,
    cors_allow_origins: settings.corsAllowOrigins.join(','),
    log_retention_days: settings.logRetentionDays,
    log_level: settings.logLevel,
    throttle_rate_limit: settings.throttleRateLimit,
    throttle_burst_limit: settings.throttleBurstLimit,
  };

  return (Object.keys(SECURE_DEFAULTS) as SecureDefaultName[])
    .filter((name) => actual[name] !== SECURE_DEFAULTS[name])
    .map((name) => ({
      setting: name,
      message: `${name} overrides the secure default ${JSON.stringify(SECURE_DEFAULTS[name])} with ${JSON.stringify(actual[name])}.`,
    }));
}
