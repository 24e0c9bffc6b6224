import type {
  Pkcs11CallMode,
  Pkcs11IvMode,
  Pkcs11KeyShareCipherOptions,
} from '@split-kms/provider-pkcs11-hsm';

import { EnvironmentReader } from '../../config/environment-reader';
import { readPinSource, resolvePin, type Pkcs11PinSource } from './pkcs11-pin';
import type { ProviderModule } from './provider-module';

/**
 * Settings of the PKCS#11 HSM provider. The PIN source is a non-enumerable
 * property, so logging the config skips it.
 */
export type Pkcs11ProviderConfig = Pick<
  Pkcs11KeyShareCipherOptions,
  | 'libraryPath'
  | 'tokenLabel'
  | 'slot'
  | 'keyLabel'
  | 'poolSize'
  | 'ivMode'
  | 'callMode'
  | 'sessionKeyCopies'
> & { readonly pinSource: Pkcs11PinSource };

// Listed here, not imported, because a value import would load pkcs11js for every provider.
const IV_MODES: readonly Pkcs11IvMode[] = ['caller', 'hsm-generated', 'hsm-prepended'];
const CALL_MODES: readonly Pkcs11CallMode[] = ['async', 'sync'];
const DEFAULT_POOL_SIZE = 4;

/**
 * AES-256-GCM inside a PKCS#11 HSM (AWS CloudHSM, SoftHSM2 in tests). The
 * package is loaded only when this provider is selected, so deployments
 * without the native pkcs11js addon never load it.
 */
export const pkcs11Provider: ProviderModule<Pkcs11ProviderConfig> = {
  name: 'pkcs11',

  parseConfig(env) {
    const reader = new EnvironmentReader(env);
    const libraryPath = reader.requiredString(
      'PKCS11_LIBRARY',
      "Set it to the path of the HSM vendor's PKCS#11 library, such as /opt/cloudhsm/lib/libcloudhsm_pkcs11.so.",
    );
    const pinSource = readPinSource(reader, env);
    const keyLabel = reader.requiredString(
      'PKCS11_KEY_LABEL',
      'Set it to the CKA_LABEL of the AES-256 key (create one with split-kms-hsm create).',
    );
    const token = readTokenSelection(reader);
    const poolSize = reader.integer('PKCS11_POOL_SIZE', DEFAULT_POOL_SIZE, {
      min: 1,
      max: 256,
      unit: 'sessions',
    });
    const ivMode = reader.oneOf('PKCS11_IV_MODE', IV_MODES, 'caller');
    const callMode = reader.oneOf('PKCS11_CALL_MODE', CALL_MODES, 'async');
    const sessionKeyCopies = reader.boolean('PKCS11_SESSION_KEY_COPIES', false);
    if (callMode === 'sync' && ivMode !== 'caller') {
      reader.addProblem(
        'PKCS11_CALL_MODE',
        `"sync" would stall every request during each AWS CloudHSM network call (PKCS11_IV_MODE is "${ivMode}").`,
        'Leave PKCS11_CALL_MODE unset or set it to async; sync is for in-process libraries such as SoftHSM2.',
      );
    }

    if (
      reader.problems.length > 0 ||
      libraryPath === undefined ||
      pinSource === undefined ||
      keyLabel === undefined
    ) {
      return { problems: reader.problems };
    }

    const config: Pkcs11ProviderConfig = {
      libraryPath,
      keyLabel,
      poolSize,
      ivMode,
      callMode,
      sessionKeyCopies,
      ...token,
      pinSource: { kind: 'value', pin: '' },
    };
    Object.defineProperty(config, 'pinSource', { value: pinSource, enumerable: false });

    return { config };
  },

  async create(config, { logger }) {
    const { Pkcs11KeyShareCipher } = await import('@split-kms/provider-pkcs11-hsm');
    const { pinSource, ...options } = config;
    const cipher = await Pkcs11KeyShareCipher.connect({
      ...options,
      pin: await resolvePin(pinSource),
    });

    logger.info('Connected to the PKCS#11 token.', {
      provider: 'pkcs11',
      library: config.libraryPath,
      tokenLabel: config.tokenLabel,
      slot: config.slot,
      keyLabel: config.keyLabel,
      poolSize: config.poolSize,
      ivMode: config.ivMode,
      callMode: config.callMode,
      sessionKeyCopies: config.sessionKeyCopies,
      pinSource: pinSource.kind,
    });

    return cipher;
  },
};

function readTokenSelection(reader: EnvironmentReader): { tokenLabel?: string; slot?: number } {
  const tokenLabel = reader.optionalString('PKCS11_TOKEN_LABEL');
  const slotText = reader.optionalString('PKCS11_SLOT');

  if (tokenLabel !== undefined && slotText !== undefined) {
    reader.addProblem(
      'PKCS11_SLOT',
      'is set together with PKCS11_TOKEN_LABEL.',
      'Set only one of the two.',
    );

    return {};
  }
  if (tokenLabel === undefined && slotText === undefined) {
    reader.addProblem(
      'PKCS11_TOKEN_LABEL',
      'is not set, and neither is PKCS11_SLOT.',
      'Set PKCS11_TOKEN_LABEL to the token label, or PKCS11_SLOT to the slot id.',
    );

    return {};
  }
  if (slotText !== undefined) {
    const slot = reader.integer('PKCS11_SLOT', 0, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      unit: 'slot id',
    });

    return { slot };
  }

  return { tokenLabel };
}
