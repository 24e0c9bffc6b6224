import { DEFAULTS } from './defaults';
import { FORMATS } from './formats';
import type { SettingsReader } from './settings-reader';
import type { HsmSettings, Pkcs11IvMode, SettingName } from './types';

const HSM_SETTING_NAMES: readonly SettingName[] = [
  'hsm_vpc_id',
  'hsm_subnet_ids',
  'hsm_cluster_security_group_id',
  'hsm_layer_arn',
  'hsm_pin_secret_arn',
  'hsm_token_label',
  'hsm_key_label',
  'hsm_library_path',
  'hsm_iv_mode',
  'hsm_decrypt_with_kms',
];

/**
 * Reads the CloudHSM settings. They are required with `key_share_cipher=pkcs11`
 * and rejected otherwise, so that a half-configured variant never deploys.
 */
export function readHsmSettings(reader: SettingsReader, usesHsm: boolean): HsmSettings | undefined {
  if (!usesHsm) {
    rejectHsmSettings(reader);

    return undefined;
  }

  const vpcId = required(reader, 'hsm_vpc_id', reader.string('hsm_vpc_id', FORMATS.vpcId));
  const subnetIds = required(
    reader,
    'hsm_subnet_ids',
    reader.list('hsm_subnet_ids', FORMATS.subnetId),
  );
  const clusterSecurityGroupId = required(
    reader,
    'hsm_cluster_security_group_id',
    reader.string('hsm_cluster_security_group_id', FORMATS.securityGroupId),
  );
  const layerArn = required(
    reader,
    'hsm_layer_arn',
    reader.string('hsm_layer_arn', FORMATS.layerArn),
  );
  const pinSecretArn = required(
    reader,
    'hsm_pin_secret_arn',
    reader.string('hsm_pin_secret_arn', FORMATS.secretArn),
  );
  const keyLabel = required(
    reader,
    'hsm_key_label',
    reader.string('hsm_key_label', FORMATS.keyLabel),
  );

  return {
    vpcId: vpcId ?? '',
    subnetIds: subnetIds ?? [],
    clusterSecurityGroupId: clusterSecurityGroupId ?? '',
    layerArn: layerArn ?? '',
    pinSecretArn: pinSecretArn ?? '',
    keyLabel: keyLabel ?? '',
    tokenLabel: reader.string('hsm_token_label', FORMATS.tokenLabel) ?? DEFAULTS.hsm_token_label,
    libraryPath:
      reader.string('hsm_library_path', FORMATS.libraryPath) ?? DEFAULTS.hsm_library_path,
    ivMode:
      reader.choice<Pkcs11IvMode>('hsm_iv_mode', ['caller', 'hsm-generated', 'hsm-prepended']) ??
      DEFAULTS.hsm_iv_mode,
    decryptWithKms: reader.boolean('hsm_decrypt_with_kms') ?? DEFAULTS.hsm_decrypt_with_kms,
  };
}

function required<T>(
  reader: SettingsReader,
  name: SettingName,
  value: T | undefined,
): T | undefined {
  if (!reader.isSet(name)) {
    reader.addProblem(`${name} is required when key_share_cipher is pkcs11.`);
  }

  return value;
}

function rejectHsmSettings(reader: SettingsReader): void {
  for (const name of HSM_SETTING_NAMES) {
    if (reader.isSet(name)) {
      reader.addProblem(
        `${name} applies only when key_share_cipher is pkcs11. Remove it or set key_share_cipher=pkcs11.`,
      );
    }
  }
}
