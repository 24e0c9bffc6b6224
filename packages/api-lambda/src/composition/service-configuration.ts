import {
  readApiConfig,
  type ApiConfig,
  type ProviderName,
  type RuntimeMode,
} from '../config/api-config';
import { ConfigurationError } from '../config/configuration-error';
import { EnvironmentReader, type Environment } from '../config/environment-reader';
import type { ProviderModule } from './providers/provider-module';
import { findProviderModule } from './providers/registry';

/** A provider to create, with its parsed settings. */
export interface ConfiguredProvider {
  readonly module: ProviderModule;
  readonly config: unknown;
}

/** The validated configuration of the whole service. */
export interface ServiceConfiguration {
  readonly api: ApiConfig;
  readonly primary: ConfiguredProvider;
  readonly decryptOnly: readonly ConfiguredProvider[];
}

/**
 * Reads and validates the whole configuration: the API's variables and those
 * of every selected provider.
 *
 * @throws ConfigurationError listing every problem, one line per variable.
 */
export function loadServiceConfiguration(
  env: Environment,
  mode: RuntimeMode,
): ServiceConfiguration {
  const reader = new EnvironmentReader(env);
  const api = readApiConfig(reader, mode);
  const problems = [...reader.problems];

  const configure = (name: ProviderName, variable: string): ConfiguredProvider | undefined => {
    const module = findProviderModule(name);
    if (module === undefined) {
      problems.push(
        `${variable}: provider "${name}" is not available in this build. ` +
          'Choose another provider, or use a build that includes it.',
      );

      return undefined;
    }

    const result = module.parseConfig(env);
    if (result.problems !== undefined) {
      problems.push(...result.problems);

      return undefined;
    }

    return { module, config: result.config };
  };

  const primary = configure(api.cipher.primary, 'KEY_SHARE_CIPHER');
  const decryptOnly = api.cipher.decryptOnly.map((name) =>
    configure(name, 'KEY_SHARE_CIPHER_DECRYPT_ONLY'),
  );

  if (problems.length > 0 || primary === undefined) {
    throw new ConfigurationError(problems);
  }

  return { api, primary, decryptOnly: decryptOnly.filter((entry) => entry !== undefined) };
}
