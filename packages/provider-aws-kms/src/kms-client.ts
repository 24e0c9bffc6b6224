import { KMS } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import type { ResolvedAwsKmsOptions } from './options';

/**
 * Builds the one KMS client a provider instance uses for all its calls. It is
 * the aggregated `KMS` class, because the AWS Encryption SDK's keyring calls
 * methods such as `generateDataKey` that the bare `KMSClient` lacks.
 */
export function createKmsClient(options: ResolvedAwsKmsOptions): KMS {
  return new KMS({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    maxAttempts: options.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}
