export {
  createAwsKmsKeyShareCipher,
  createAwsKmsRouter,
  type AwsKmsKeyShareCipher,
} from './create';
export { DirectKmsKeyShareCipher } from './direct-cipher';
export { EnvelopeKmsKeyShareCipher, type EnvelopeKmsCipherKeys } from './envelope-cipher';
export { isKeyArn, resolveKeyArn } from './key-arn';
export { KmsKeyShareCipher, type KmsCipherKeys } from './kms-cipher';
export { createKmsClient } from './kms-client';
export {
  mapKmsError,
  THROTTLE_RETRY_AFTER_SECONDS,
  type KmsAction,
  type KmsCallContext,
} from './kms-errors';
export {
  AWS_KMS_MAX_PLAINTEXT_BYTES,
  resolveAwsKmsOptions,
  type AwsKmsCacheOptions,
  type AwsKmsKeyShareCipherOptions,
  type AwsKmsMode,
  type ResolvedAwsKmsOptions,
} from './options';
