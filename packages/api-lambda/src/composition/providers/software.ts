import { resolve } from 'node:path';

import {
  DEVELOPMENT_ONLY_WARNING,
  loadOrCreateKeyFile,
  SoftwareKeyShareCipher,
} from '@split-kms/provider-software';

import { EnvironmentReader } from '../../config/environment-reader';
import type { ProviderModule } from './provider-module';

/** Settings of the software provider. */
export interface SoftwareProviderConfig {
  /**
   * `SOFTWARE_KEY_FILE`: the local key file, created with a fresh key (mode
   * 0600) when missing. Relative to the working directory. Default
   * `.split-kms/dev-keys.json`.
   */
  readonly keyFile: string;
}

/** Default of `SOFTWARE_KEY_FILE`, git-ignored in this repository. */
export const DEFAULT_SOFTWARE_KEY_FILE = '.split-kms/dev-keys.json';

/** The development-only provider: AES-256-GCM in this process, its key in a local file. */
export const softwareProvider: ProviderModule<SoftwareProviderConfig> = {
  name: 'software',

  parseConfig(env) {
    const reader = new EnvironmentReader(env);
    const keyFile = reader.string('SOFTWARE_KEY_FILE', DEFAULT_SOFTWARE_KEY_FILE);

    return { config: { keyFile } };
  },

  async create(config, { logger, workingDirectory }) {
    const path = resolve(workingDirectory, config.keyFile);
    const { keys, created } = await loadOrCreateKeyFile(path);
    logger.warn(DEVELOPMENT_ONLY_WARNING, {
      provider: 'software',
      keyFile: path,
      keyFileCreated: created,
    });

    return new SoftwareKeyShareCipher({ keys });
  },
};
