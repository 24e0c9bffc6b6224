export {
  DEFAULT_SOFTWARE_KEY_LABEL,
  DEVELOPMENT_ONLY_WARNING,
  loadOrCreateKeyFile,
  rotateKeyFile,
  softwareKeyFromBytes,
  type SoftwareKey,
} from './key-file';
export { SoftwareKeyShareCipher, type SoftwareKeyShareCipherOptions } from './software-cipher';
