export { buildSplitKmsApp, type BuildSplitKmsAppOptions } from './app-builder';
export { SplitKmsStack, type SplitKmsStackProps } from './split-kms-stack';
export {
  CustomerKey,
  walletContextConditions,
  type CustomerKeyProps,
  type CustomerKeyAction,
} from './constructs/customer-key';
export {
  ApiFunction,
  type ApiFunctionProps,
  type FunctionNetwork,
} from './constructs/api-function';
export { SplitKmsHttpApi, type SplitKmsHttpApiProps } from './constructs/http-api';
export { ApiAlarms, type ApiAlarmsProps } from './constructs/alarms';
export { HsmNetwork } from './constructs/hsm-network';
export {
  loadSettings,
  type LoadedSettings,
  type SecureDefaultOverride,
} from './settings/load-settings';
export { InvalidSettingsError } from './settings/invalid-settings-error';
export { SECURE_DEFAULTS, FIXED_SECURE_SETTINGS } from './settings/secure-defaults';
export { computeFunctionTimeoutSeconds, type TimeoutInputs } from './settings/timeout-budget';
export type {
  DeploymentSettings,
  HsmSettings,
  KeyShareCipherKind,
  KmsMode,
  AlarmTarget,
  Pkcs11IvMode,
} from './settings/types';
