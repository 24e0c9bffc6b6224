import type { Logger } from '@aws-lambda-powertools/logger';
import type { KeyShareCipher } from '@split-kms/core';

import type { ProviderName } from '../../config/api-config';
import type { Environment } from '../../config/environment-reader';

/** The result of parsing a provider's settings: its configuration, or one problem line per variable. */
export type ProviderConfigResult<Config> =
  | { readonly config: Config; readonly problems?: undefined }
  | { readonly problems: readonly string[] };

/** Dependencies that the composition root passes to a provider it creates. */
export interface ProviderDependencies {
  /** The service logger. Never log keys, PINs, plaintexts or ciphertexts with it. */
  readonly logger: Logger;
  /** Directory that relative paths in the configuration are resolved against. */
  readonly workingDirectory: string;
}

/**
 * A provider that this build can compose. Each lives in its own file in this
 * folder and is listed in `registry.ts`.
 */
export interface ProviderModule<Config = unknown> {
  readonly name: ProviderName;

  /**
   * Reads the provider's environment variables. Problem lines follow the
   * `NAME: what is wrong. What to do.` form of `EnvironmentReader` and never
   * quote a secret such as a PIN.
   */
  parseConfig(env: Environment): ProviderConfigResult<Config>;

  /** Creates the provider and connects it to its key. */
  create(config: Config, dependencies: ProviderDependencies): Promise<KeyShareCipher>;
}
