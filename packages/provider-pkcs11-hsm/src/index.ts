export { Pkcs11KeyShareCipher } from './pkcs11-cipher';
export {
  CALL_MODES,
  CLOUDHSM_GCM_BUFFER_LIMIT,
  cloudHsmMaxPlaintextBytes,
  IV_MODES,
  type Pkcs11CallMode,
  type Pkcs11IvMode,
  type Pkcs11KeyShareCipherOptions,
  type Pkcs11Settings,
} from './options';
export { decodeKeyVersionId, encodeKeyVersionId, KEY_VERSION_ID_BYTES } from './key-version-id';
export { CKM_CLOUDHSM_AES_GCM } from './gcm';
export type { Pkcs11Api, Handle } from './pkcs11-api';
export {
  createKey,
  keyTemplate,
  listKeys,
  openAdminSession,
  rotateKey,
  type AdminSession,
  type KeyAdminOptions,
  type KeyListing,
} from './key-admin';
