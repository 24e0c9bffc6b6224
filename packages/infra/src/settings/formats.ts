import type { ValueFormat } from './settings-reader';

const ARN_PREFIX = 'arn:aws[a-z-]*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
const ACCOUNT = '\\d{12}';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

function arn(service: string, resource: string): RegExp {
  return new RegExp(`^${ARN_PREFIX}:${service}:${REGION}:${ACCOUNT}:${resource}$`);
}

/** Formats of the settings, each with the words that a validation message uses for it. */
export const FORMATS = {
  envName: {
    pattern: /^[a-z][a-z0-9-]{0,23}$/,
    description:
      'lower-case letters, digits and hyphens, starting with a letter, at most 24 characters',
  },
  account: { pattern: new RegExp(`^${ACCOUNT}$`), description: 'a 12-digit AWS account id' },
  region: {
    pattern: new RegExp(`^${REGION}$`),
    description: 'an AWS region name such as eu-west-1',
  },
  httpsUrl: {
    pattern: /^https:\/\/[a-z0-9.-]+(?::\d{1,5})?(?:\/\S*)?$/i,
    description: 'an https:// URL',
  },
  origin: {
    pattern:
      /^(?:\*|https:\/\/[a-z0-9.-]+(?::\d{1,5})?|http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?)$/i,
    description: 'origins such as https://auth.magic.link (scheme and host, no path), or *',
  },
  domainName: {
    pattern: /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    description: 'a fully qualified domain name such as kms.example.com',
  },
  jwtClaim: { pattern: /^\S{1,512}$/, description: 'a non-empty string without spaces' },
  acmCertArn: {
    pattern: arn('acm', `certificate/${UUID}`),
    description: 'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
  },
  kmsKeyArn: {
    pattern: arn('kms', `key/(?:mrk-[0-9a-f]{32}|${UUID})`),
    description:
      'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), because alias ARNs cannot be granted',
  },
  kmsKeyArns: {
    pattern: arn('kms', `key/(?:mrk-[0-9a-f]{32}|${UUID})`),
    description:
      'KMS key ARNs (arn:aws:kms:<region>:<account>:key/<key id>), because alias ARNs cannot be granted',
  },
  snsTopicArn: {
    pattern: arn('sns', '[A-Za-z0-9_-]{1,256}'),
    description: 'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
  },
  email: { pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, description: 'an email address' },
  vpcId: {
    pattern: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    description: 'a VPC id such as vpc-0123456789abcdef0',
  },
  subnetId: {
    pattern: /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    description: 'subnet ids such as subnet-0123456789abcdef0',
  },
  securityGroupId: {
    pattern: /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    description: 'a security group id such as sg-0123456789abcdef0',
  },
  layerArn: {
    pattern: arn('lambda', 'layer:[A-Za-z0-9_-]{1,140}:\\d+'),
    description:
      'a Lambda layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)',
  },
  secretArn: {
    pattern: arn('secretsmanager', 'secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}'),
    description: 'a complete Secrets Manager secret ARN, including the 6-character suffix',
  },
  tokenLabel: {
    pattern: /^[\x20-\x7e]{1,32}$/,
    description: 'printable ASCII, 1 to 32 characters',
  },
  keyLabel: {
    pattern: /^[\x21-\x7e][\x20-\x7e]{0,63}$/,
    description: 'printable ASCII, 1 to 64 characters',
  },
  libraryPath: {
    pattern: /^\/[A-Za-z0-9._/-]+\.so(?:\.\d+)*$/,
    description: 'an absolute path to a shared library (.so)',
  },
} as const satisfies Record<string, ValueFormat>;

/** Retention periods that CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;
