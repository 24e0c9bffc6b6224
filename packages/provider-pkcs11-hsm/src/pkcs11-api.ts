import type * as pkcs11js from 'pkcs11js';

/**
 * The part of the `pkcs11js` `PKCS11` class this package calls. A port this
 * narrow lets a test stand in a fake for behaviour SoftHSM2 cannot show.
 */
export type Pkcs11Api = Pick<
  pkcs11js.PKCS11,
  | 'C_Initialize'
  | 'C_GetSlotList'
  | 'C_GetTokenInfo'
  | 'C_OpenSession'
  | 'C_CloseSession'
  | 'C_Login'
  | 'C_FindObjectsInit'
  | 'C_FindObjects'
  | 'C_FindObjectsFinal'
  | 'C_GetAttributeValue'
  | 'C_CopyObject'
  | 'C_DestroyObject'
  | 'C_EncryptInit'
  | 'C_Encrypt'
  | 'C_EncryptAsync'
  | 'C_DecryptInit'
  | 'C_Decrypt'
  | 'C_DecryptAsync'
  | 'C_GenerateKey'
>;

/** A session, slot or object handle as `pkcs11js` returns it. */
export type Handle = pkcs11js.Handle;
