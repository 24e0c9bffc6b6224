import { describe, expect, it } from '@jest/globals';

import { InvalidSettingsError } from '../src/settings/invalid-settings-error';
import { loadSettings } from '../src/settings/load-settings';
import { SECURE_DEFAULTS } from '../src/settings/secure-defaults';
import {
  CERTIFICATE_ARN,
  EXISTING_KEY_ARN,
  HSM_CONTEXT,
  LAYER_ARN,
  PIN_SECRET_ARN,
} from './stack-fixtures';

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    loadSettings(context);
  } catch (error) {
    if (error instanceof InvalidSettingsError) return error.problems;
    throw error;
  }
  throw new Error('loadSettings accepted invalid settings');
}

describe('loadSettings defaults', () => {
  it('applies the earlier service defaults', () => {
    const { settings, warnings } = loadSettings({});

    expect(settings.envName).toBe('prod');
    expect(settings.jwksUrl).toBe('https://assets.auth.magic.link/split-key/.well-known/jwks.json');
    expect(settings.corsAllowOrigins).toEqual(['https://auth.magic.link']);
    expect(settings.domainName).toBeUndefined();
    expect(settings.keyShareCipher).toBe('aws-kms');
    expect(settings.kmsMode).toBe('direct');
    expect(settings.hsm).toBeUndefined();
    expect(settings.alarms).toEqual({ kind: 'none' });
    expect(warnings).toEqual([]);
  });

  it('treats empty strings as unset', () => {
    const { settings } = loadSettings({ domain_name: '', acm_cert_arn: '', env_name: '' });

    expect(settings.domainName).toBeUndefined();
    expect(settings.envName).toBe('prod');
  });

  it('ignores CDK context keys', () => {
    expect(() =>
      loadSettings({ '@aws-cdk/core:newStyleStackSynthesis': true, 'cli-telemetry': false }),
    ).not.toThrow();
  });
});

describe('loadSettings value forms', () => {
  it('parses strings from the command line', () => {
    const { settings } = loadSettings({
      memory_mb: '1024',
      throttle_rate_limit: '12.5',
      cors_allow_origins: 'https://a.example, https://b.example',
      ...HSM_CONTEXT,
      hsm_decrypt_with_kms: 'true',
    });

    expect(settings.memoryMb).toBe(1024);
    expect(settings.throttleRateLimit).toBe(12.5);
    expect(settings.corsAllowOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(settings.hsm?.subnetIds).toEqual([
      'subnet-0123456789abcdef0',
      'subnet-0123456789abcdef1',
    ]);
    expect(settings.hsm?.decryptWithKms).toBe(true);
  });

  it('parses typed values from cdk.json', () => {
    const { settings } = loadSettings({
      memory_mb: 256,
      cors_allow_origins: ['https://a.example'],
      ...HSM_CONTEXT,
      hsm_subnet_ids: ['subnet-0123456789abcdef0'],
      hsm_decrypt_with_kms: false,
    });

    expect(settings.memoryMb).toBe(256);
    expect(settings.corsAllowOrigins).toEqual(['https://a.example']);
    expect(settings.hsm?.subnetIds).toEqual(['subnet-0123456789abcdef0']);
    expect(settings.hsm?.decryptWithKms).toBe(false);
  });

  it('keeps a custom domain with its certificate', () => {
    const { settings } = loadSettings({
      domain_name: 'kms.example.com',
      acm_cert_arn: CERTIFICATE_ARN,
    });

    expect(settings.domainName).toBe('kms.example.com');
    expect(settings.acmCertArn).toBe(CERTIFICATE_ARN);
  });

  it('fills CloudHSM defaults', () => {
    const { settings } = loadSettings({ ...HSM_CONTEXT });

    expect(settings.hsm).toEqual({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      clusterSecurityGroupId: 'sg-0123456789abcdef0',
      layerArn: LAYER_ARN,
      pinSecretArn: PIN_SECRET_ARN,
      tokenLabel: 'hsm1',
      keyLabel: 'split-kms-share-key',
      libraryPath: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
      ivMode: 'hsm-generated',
      decryptWithKms: false,
    });
  });
});

describe('loadSettings validation', () => {
  const cases: ReadonlyArray<[string, Record<string, unknown>, string]> = [
    ['env_name with capitals', { env_name: 'Prod_1' }, 'env_name'],
    ['jwks_url over http', { jwks_url: 'http://keys.example.com/jwks.json' }, 'jwks_url'],
    ['origin with a path', { cors_allow_origins: 'https://a.example/app' }, 'cors_allow_origins'],
    [
      'domain without certificate',
      { domain_name: 'kms.example.com' },
      'domain_name needs acm_cert_arn',
    ],
    [
      'certificate without domain',
      { acm_cert_arn: CERTIFICATE_ARN },
      'acm_cert_arn is set without domain_name',
    ],
    [
      'malformed certificate ARN',
      { domain_name: 'kms.example.com', acm_cert_arn: 'arn:aws:acm:cert' },
      'acm_cert_arn',
    ],
    [
      'malformed domain',
      { domain_name: 'not a domain', acm_cert_arn: CERTIFICATE_ARN },
      'domain_name',
    ],
    [
      'alias ARN as key',
      { existing_key_arn: 'arn:aws:kms:eu-west-1:123456789012:alias/x' },
      'existing_key_arn',
    ],
    ['unknown KMS mode', { kms_mode: 'wrapped' }, 'kms_mode'],
    ['unknown cipher', { key_share_cipher: 'hsm' }, 'key_share_cipher'],
    ['memory below Lambda minimum', { memory_mb: '64' }, 'memory_mb'],
    ['memory not a number', { memory_mb: 'lots' }, 'memory_mb'],
    ['memory not an integer', { memory_mb: 512.5 }, 'memory_mb'],
    ['zero rate limit', { throttle_rate_limit: '0' }, 'throttle_rate_limit'],
    ['fractional burst', { throttle_burst_limit: '2.5' }, 'throttle_burst_limit'],
    ['retention CloudWatch rejects', { log_retention_days: 42 }, 'log_retention_days'],
    ['unknown log level', { log_level: 'TRACE' }, 'log_level'],
    ['zero reserved concurrency', { reserved_concurrency: 0 }, 'reserved_concurrency'],
    ['tiny JWKS timeout', { jwks_timeout_ms: 50 }, 'jwks_timeout_ms'],
    ['too many KMS attempts', { kms_max_attempts: 9 }, 'kms_max_attempts'],
    ['large clock tolerance', { jwt_clock_tolerance_seconds: 301 }, 'jwt_clock_tolerance_seconds'],
    [
      'topic and email',
      { alarm_topic_arn: 'arn:aws:sns:eu-west-1:123456789012:ops', alarm_email: 'ops@example.com' },
      'alarm_topic_arn and alarm_email',
    ],
    ['malformed email', { alarm_email: 'ops' }, 'alarm_email'],
    ['malformed topic ARN', { alarm_topic_arn: 'ops-topic' }, 'alarm_topic_arn'],
    ['short account id', { account: '1234' }, 'account'],
    ['malformed region', { region: 'Europe' }, 'region'],
    [
      'misspelled setting',
      { domian_name: 'kms.example.com' },
      'domian_name is not a known setting',
    ],
    [
      'HSM setting on KMS variant',
      { hsm_vpc_id: 'vpc-0123456789abcdef0' },
      'hsm_vpc_id applies only',
    ],
    [
      'HSM without subnets',
      { ...HSM_CONTEXT, hsm_subnet_ids: undefined },
      'hsm_subnet_ids is required',
    ],
    [
      'HSM without layer',
      { ...HSM_CONTEXT, hsm_layer_arn: undefined },
      'hsm_layer_arn is required',
    ],
    [
      'HSM without PIN secret',
      { ...HSM_CONTEXT, hsm_pin_secret_arn: undefined },
      'hsm_pin_secret_arn is required',
    ],
    ['HSM without VPC', { ...HSM_CONTEXT, hsm_vpc_id: undefined }, 'hsm_vpc_id is required'],
    [
      'HSM without cluster group',
      { ...HSM_CONTEXT, hsm_cluster_security_group_id: undefined },
      'hsm_cluster_security_group_id is required',
    ],
    [
      'HSM without key label',
      { ...HSM_CONTEXT, hsm_key_label: undefined },
      'hsm_key_label is required',
    ],
    ['malformed subnet id', { ...HSM_CONTEXT, hsm_subnet_ids: 'subnet-xyz' }, 'hsm_subnet_ids'],
    [
      'partial secret ARN',
      {
        ...HSM_CONTEXT,
        hsm_pin_secret_arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pin',
      },
      'hsm_pin_secret_arn',
    ],
    [
      'layer ARN without version',
      { ...HSM_CONTEXT, hsm_layer_arn: 'arn:aws:lambda:eu-west-1:123456789012:layer:hsm' },
      'hsm_layer_arn',
    ],
    [
      'malformed cluster group',
      { ...HSM_CONTEXT, hsm_cluster_security_group_id: 'cluster-sg' },
      'hsm_cluster_security_group_id',
    ],
    [
      'relative library path',
      { ...HSM_CONTEXT, hsm_library_path: 'lib/pkcs11.so' },
      'hsm_library_path',
    ],
    ['long token label', { ...HSM_CONTEXT, hsm_token_label: 'x'.repeat(33) }, 'hsm_token_label'],
    ['unknown IV mode', { ...HSM_CONTEXT, hsm_iv_mode: 'random' }, 'hsm_iv_mode'],
    ['non-boolean source maps', { enable_source_maps: 'no' }, 'enable_source_maps'],
    [
      'alias among decrypt keys',
      { kms_decrypt_key_arns: `${EXISTING_KEY_ARN},alias/old` },
      'kms_decrypt_key_arns',
    ],
    [
      'decrypt keys unused by HSM',
      { ...HSM_CONTEXT, kms_decrypt_key_arns: EXISTING_KEY_ARN },
      'kms_decrypt_key_arns is unused',
    ],
    ['non-boolean flag', { ...HSM_CONTEXT, hsm_decrypt_with_kms: 'yes' }, 'hsm_decrypt_with_kms'],
    [
      'key ARN unused by HSM',
      { ...HSM_CONTEXT, existing_key_arn: EXISTING_KEY_ARN },
      'existing_key_arn is unused',
    ],
  ];

  it.each(cases)('rejects %s', (_name, context, expected) => {
    const problems = problemsOf(context);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('rejects timeouts above the API Gateway limit', () => {
    const problems = problemsOf({
      jwks_timeout_ms: 10_000,
      kms_request_timeout_ms: 5000,
      kms_max_attempts: 5,
    });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /jwks_timeout_ms, kms_request_timeout_ms and kms_max_attempts add up to a \d+ s/,
    );
  });

  it('lists every problem in one error', () => {
    const context = { env_name: 'Bad Name', memory_mb: 'x', domain_name: 'kms.example.com' };
    let thrown: unknown;
    try {
      loadSettings(context);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(InvalidSettingsError);
    const message = (thrown as Error).message;
    expect(message).toContain('env_name must be');
    expect(message).toContain('memory_mb must be');
    expect(message).toContain('domain_name needs acm_cert_arn');
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });
});

describe('loadSettings secure default overrides', () => {
  it('warns on a wildcard origin', () => {
    const { warnings } = loadSettings({ cors_allow_origins: '*' });

    expect(warnings).toEqual([
      {
        setting: 'cors_allow_origins',
        message:
          'cors_allow_origins overrides the secure default "https://auth.magic.link" with "*".',
      },
    ]);
  });

  it('warns once per overridden default', () => {
    const { warnings } = loadSettings({
      jwks_url: 'https://keys.example.com/jwks.json',
      log_retention_days: 7,
      log_level: 'DEBUG',
      throttle_rate_limit: 1000,
      throttle_burst_limit: 2000,
    });

    expect(warnings.map((warning) => warning.setting)).toEqual([
      'jwks_url',
      'log_retention_days',
      'log_level',
      'throttle_rate_limit',
      'throttle_burst_limit',
    ]);
  });

  it('stays silent when a default is restated', () => {
    const { warnings } = loadSettings({ ...SECURE_DEFAULTS });

    expect(warnings).toEqual([]);
  });
});
