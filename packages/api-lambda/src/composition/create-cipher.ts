import { KeyShareCipherRouter, type KeyShareCipher } from '@split-kms/core';

import type { ProviderDependencies } from './providers/provider-module';
import type { ServiceConfiguration } from './service-configuration';

/**
 * Creates the configured providers and composes them in a router: the
 * primary encrypts, and every provider decrypts what it recognises. When one
 * provider fails to start, those already created are closed again.
 */
export async function createCipher(
  configuration: ServiceConfiguration,
  dependencies: ProviderDependencies,
): Promise<KeyShareCipherRouter> {
  const created: KeyShareCipher[] = [];

  try {
    for (const { module, config } of [configuration.primary, ...configuration.decryptOnly]) {
      created.push(await module.create(config, dependencies));
    }
  } catch (error) {
    await Promise.allSettled(created.map(async (provider) => provider.close?.()));
    throw error;
  }

  const [primary, ...decryptOnly] = created;

  return new KeyShareCipherRouter({ primary: primary!, decryptOnly });
}
