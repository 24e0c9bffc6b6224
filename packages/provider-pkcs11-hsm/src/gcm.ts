import * as pkcs11js from 'pkcs11js';

import { AES_GCM_IV_BYTES, AES_GCM_TAG_BYTES } from '@split-kms/core';

import type { Pkcs11CallMode } from './options';
import type { Handle, Pkcs11Api } from './pkcs11-api';

/**
 * AWS CloudHSM's vendor mechanism `CKM_CLOUDHSM_AES_GCM`
 * (`CKM_VENDOR_DEFINED | CKM_AES_GCM`): the HSM generates the IV and returns
 * it in front of the ciphertext; decryption expects it there too.
 */
export const CKM_CLOUDHSM_AES_GCM = 0x80000000 + 0x1087;

const TAG_BITS = AES_GCM_TAG_BYTES * 8;

/** Inputs of one GCM operation. */
export interface GcmInput {
  readonly library: Pkcs11Api;
  readonly session: Handle;
  readonly key: Handle;
  readonly aad: Buffer;
  /** Thread of `C_Encrypt` and `C_Decrypt`: the thread pool or the event loop. */
  readonly callMode: Pkcs11CallMode;
}

/** Builds the `CK_GCM_PARAMS` (PKCS#11 2.40 layout, with `ulIvBits`) for `CKM_AES_GCM`. */
export function gcmMechanism(mechanism: number, iv: Buffer, aad: Buffer): pkcs11js.Mechanism {
  return {
    mechanism,
    parameter: {
      type: pkcs11js.CK_PARAMS_GCM,
      iv,
      ivBits: iv.length * 8,
      aad,
      tagBits: TAG_BITS,
    } as pkcs11js.GcmParams,
  };
}

/** Encrypts with `CKM_AES_GCM` and the given IV. Returns ciphertext then tag. */
export async function encryptWithIv(
  input: GcmInput,
  iv: Buffer,
  plaintext: Buffer,
): Promise<Buffer> {
  input.library.C_EncryptInit(
    input.session,
    gcmMechanism(pkcs11js.CKM_AES_GCM, iv, input.aad),
    input.key,
  );

  return encryptData(input, plaintext, Buffer.alloc(plaintext.length + AES_GCM_TAG_BYTES));
}

/**
 * Encrypts with `CKM_AES_GCM` and lets the HSM pick the IV, which it writes
 * into the zeroed IV buffer. pkcs11js passes that buffer's memory to the
 * library as `pIv`, so the IV is readable here after `C_Encrypt`.
 */
export async function encryptWithHsmIv(
  input: GcmInput,
  plaintext: Buffer,
): Promise<{ readonly iv: Buffer; readonly body: Buffer }> {
  const iv = Buffer.alloc(AES_GCM_IV_BYTES);
  const body = await encryptWithIv(input, iv, plaintext);

  return { iv, body };
}

/**
 * Encrypts with `CKM_CLOUDHSM_AES_GCM`. Returns IV, ciphertext and tag.
 * NOTE: CloudHSM requires `pIv` to be NULL here. pkcs11js cannot pass NULL, so
 * this passes an empty buffer; that this arrives as NULL was never checked on CloudHSM.
 */
export async function encryptWithPrependedIv(input: GcmInput, plaintext: Buffer): Promise<Buffer> {
  const mechanism = gcmMechanism(CKM_CLOUDHSM_AES_GCM, Buffer.alloc(0), input.aad);
  input.library.C_EncryptInit(input.session, mechanism, input.key);

  const output = Buffer.alloc(AES_GCM_IV_BYTES + plaintext.length + AES_GCM_TAG_BYTES);

  return encryptData(input, plaintext, output);
}

/** Starts a `CKM_AES_GCM` decryption. Separate from the data step, whose errors mean something else. */
export function startDecryptWithIv(input: GcmInput, iv: Buffer): void {
  input.library.C_DecryptInit(
    input.session,
    gcmMechanism(pkcs11js.CKM_AES_GCM, iv, input.aad),
    input.key,
  );
}

/** Starts a `CKM_CLOUDHSM_AES_GCM` decryption of IV, ciphertext and tag. */
export function startDecryptWithPrependedIv(input: GcmInput): void {
  input.library.C_DecryptInit(
    input.session,
    gcmMechanism(CKM_CLOUDHSM_AES_GCM, Buffer.alloc(0), input.aad),
    input.key,
  );
}

/** Runs the started decryption over `data`. The output buffer is as large as the input. */
export async function finishDecrypt(input: GcmInput, data: Buffer): Promise<Buffer> {
  const output = Buffer.alloc(data.length);

  return input.callMode === 'sync'
    ? input.library.C_Decrypt(input.session, data, output)
    : input.library.C_DecryptAsync(input.session, data, output);
}

/** Runs the started encryption over `data` in the configured call mode. */
async function encryptData(input: GcmInput, data: Buffer, output: Buffer): Promise<Buffer> {
  return input.callMode === 'sync'
    ? input.library.C_Encrypt(input.session, data, output)
    : input.library.C_EncryptAsync(input.session, data, output);
}

/** Tells whether every byte is zero: the IV field of a header whose IV follows it. */
export function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}
