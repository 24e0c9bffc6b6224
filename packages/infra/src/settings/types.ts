/** The provider that encrypts new key shares. */
export type KeyShareCipherKind = 'aws-kms' | 'pkcs11';

/** Encryption mode of the AWS KMS provider: one KMS call per share, or data keys through the AWS Encryption SDK. */
export type KmsMode = 'direct' | 'envelope';

/** Log levels that AWS Lambda Powertools accepts in `POWERTOOLS_LOG_LEVEL`. */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * Source of the AES-GCM IV: this service (`caller`), the HSM through the
 * standard `CKM_AES_GCM` (`hsm-generated`), or the CloudHSM vendor mechanism
 * that prepends the IV (`hsm-prepended`). AWS CloudHSM ignores a caller's IV.
 */
export type Pkcs11IvMode = 'caller' | 'hsm-generated' | 'hsm-prepended';

/** Settings of the CloudHSM variant. The cluster has no CloudFormation resource, so it is an input. */
export interface HsmSettings {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly clusterSecurityGroupId: string;
  readonly layerArn: string;
  readonly pinSecretArn: string;
  readonly tokenLabel: string;
  readonly keyLabel: string;
  readonly libraryPath: string;
  readonly ivMode: Pkcs11IvMode;
  /** Keep the AWS KMS key, with decrypt permission only, so ciphertexts made before the move still decrypt. */
  readonly decryptWithKms: boolean;
}

/** Destination of alarm notifications: an existing SNS topic, a new topic with one email subscription, or nowhere. */
export type AlarmTarget =
  | { readonly kind: 'none' }
  | { readonly kind: 'topic'; readonly topicArn: string }
  | { readonly kind: 'email'; readonly email: string };

/** Every setting of one deployment, validated and with defaults applied. */
export interface DeploymentSettings {
  readonly envName: string;
  readonly account?: string;
  readonly region?: string;
  readonly keyShareCipher: KeyShareCipherKind;

  readonly jwksUrl: string;
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  readonly jwtClockToleranceSeconds?: number;
  readonly jwksTimeoutMs: number;
  readonly corsAllowOrigins: readonly string[];

  /** ARN of a key the customer already has. The stack then grants access to it and creates no key. */
  readonly existingKeyArn?: string;
  /** Further KMS keys that may only decrypt, for ciphertexts made under an earlier key. */
  readonly kmsDecryptKeyArns: readonly string[];
  readonly kmsMode: KmsMode;
  readonly kmsRequestTimeoutMs: number;
  readonly kmsMaxAttempts: number;

  readonly memoryMb: number;
  /** Start Node with `--enable-source-maps`, so stack traces in the logs name the TypeScript sources. */
  readonly enableSourceMaps: boolean;
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
  readonly logLevel: PowertoolsLogLevel;

  /** Steady-state request rate of the API's default stage, in requests per second. */
  readonly throttleRateLimit: number;
  /** Maximum burst of the API's default stage, in requests. */
  readonly throttleBurstLimit: number;

  readonly domainName?: string;
  readonly acmCertArn?: string;
  readonly alarms: AlarmTarget;

  readonly hsm?: HsmSettings;
}

/**
 * Names of every CDK context setting that this app reads. The first five are
 * the names of the earlier Python service and must keep working.
 */
export const SETTING_NAMES = [
  'env_name',
  'jwks_url',
  'cors_allow_origins',
  'domain_name',
  'acm_cert_arn',
  'account',
  'region',
  'key_share_cipher',
  'jwt_issuer',
  'jwt_audience',
  'jwt_clock_tolerance_seconds',
  'jwks_timeout_ms',
  'existing_key_arn',
  'kms_decrypt_key_arns',
  'kms_mode',
  'kms_request_timeout_ms',
  'kms_max_attempts',
  'memory_mb',
  'enable_source_maps',
  'reserved_concurrency',
  'log_retention_days',
  'log_level',
  'throttle_rate_limit',
  'throttle_burst_limit',
  'alarm_topic_arn',
  'alarm_email',
  'hsm_vpc_id',
  'hsm_subnet_ids',
  'hsm_cluster_security_group_id',
  'hsm_layer_arn',
  'hsm_pin_secret_arn',
  'hsm_token_label',
  'hsm_key_label',
  'hsm_library_path',
  'hsm_iv_mode',
  'hsm_decrypt_with_kms',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];
