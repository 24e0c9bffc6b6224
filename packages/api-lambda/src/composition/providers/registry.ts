import type { ProviderName } from '../../config/api-config';
import type { ProviderModule } from './provider-module';
import { awsKmsProvider } from './aws-kms';
import { pkcs11Provider } from './pkcs11';
import { softwareProvider } from './software';

/**
 * Providers compiled into this build, one line each. A name that
 * `KEY_SHARE_CIPHER` accepts but that is missing here is rejected at start-up
 * as "not available in this build".
 */
export const PROVIDER_MODULES: readonly ProviderModule[] = [
  softwareProvider,
  pkcs11Provider,
  awsKmsProvider,
];

/** Finds a provider module by name. */
export function findProviderModule(name: ProviderName): ProviderModule | undefined {
  return PROVIDER_MODULES.find((module) => module.name === name);
}
