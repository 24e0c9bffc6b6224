import { usesKms } from './settings/load-settings';
import type { DeploymentSettings } from './settings/types';

/** Service name in the function's logs and metrics. */
export const SERVICE_NAME = 'split-kms';

/** CloudWatch namespace of the function's metrics. */
export const METRICS_NAMESPACE = 'SplitKMS';

/**
 * Builds the environment variables that the API reads at start-up. The PIN
 * is never among them: the function reads it from Secrets Manager by ARN.
 */
export function buildLambdaEnvironment(
  settings: DeploymentSettings,
  kmsKeyArn?: string,
): Record<string, string> {
  return {
    KEY_SHARE_CIPHER: settings.keyShareCipher,
    ...decryptOnlyVariables(settings),
    ...authVariables(settings),
    ...(kmsKeyArn === undefined || !usesKms(settings) ? {} : kmsVariables(settings, kmsKeyArn)),
    ...(settings.hsm === undefined ? {} : hsmVariables(settings.hsm)),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
  };
}

function decryptOnlyVariables(settings: DeploymentSettings): Record<string, string> {
  return settings.hsm?.decryptWithKms === true ? { KEY_SHARE_CIPHER_DECRYPT_ONLY: 'aws-kms' } : {};
}

function authVariables(settings: DeploymentSettings): Record<string, string> {
  return {
    JWKS_URL: settings.jwksUrl,
    JWKS_TIMEOUT_MS: String(settings.jwksTimeoutMs),
    CORS_ALLOW_ORIGINS: settings.corsAllowOrigins.join(','),
    ...(settings.jwtIssuer === undefined ? {} : { JWT_ISSUER: settings.jwtIssuer }),
    ...(settings.jwtAudience === undefined ? {} : { JWT_AUDIENCE: settings.jwtAudience }),
    ...(settings.jwtClockToleranceSeconds === undefined
      ? {}
      : { JWT_CLOCK_TOLERANCE_SECONDS: String(settings.jwtClockToleranceSeconds) }),
  };
}

function kmsVariables(settings: DeploymentSettings, kmsKeyArn: string): Record<string, string> {
  return {
    DKMS_KMS_KEY_ID: kmsKeyArn,
    ...(settings.kmsDecryptKeyArns.length === 0
      ? {}
      : { KMS_DECRYPT_KEY_IDS: settings.kmsDecryptKeyArns.join(',') }),
    KMS_MODE: settings.kmsMode,
    KMS_REQUEST_TIMEOUT_MS: String(settings.kmsRequestTimeoutMs),
    KMS_MAX_ATTEMPTS: String(settings.kmsMaxAttempts),
  };
}

function hsmVariables(hsm: NonNullable<DeploymentSettings['hsm']>): Record<string, string> {
  return {
    PKCS11_LIBRARY: hsm.libraryPath,
    PKCS11_TOKEN_LABEL: hsm.tokenLabel,
    PKCS11_KEY_LABEL: hsm.keyLabel,
    PKCS11_PIN_SECRET_ARN: hsm.pinSecretArn,
    PKCS11_IV_MODE: hsm.ivMode,
  };
}
