import { MAX_KEY_LABEL_BYTES } from '@split-kms/core';

import type { Pkcs11Api } from './pkcs11-api';

/**
 * Source of the AES-GCM IV.
 * - `caller`: this provider draws a random 96-bit IV from `node:crypto` and
 *   passes it to `CKM_AES_GCM` (SoftHSM2, Thales Luna outside FIPS mode, most HSMs).
 * - `hsm-generated`: `CKM_AES_GCM`, but the HSM picks the IV and writes it
 *   back into `CK_GCM_PARAMS.pIv` (AWS CloudHSM Client SDK 5).
 * - `hsm-prepended`: the AWS CloudHSM vendor mechanism `CKM_CLOUDHSM_AES_GCM`,
 *   which returns the HSM's IV in front of the ciphertext.
 */
export type Pkcs11IvMode = 'caller' | 'hsm-generated' | 'hsm-prepended';

export const IV_MODES: readonly Pkcs11IvMode[] = Object.freeze([
  'caller',
  'hsm-generated',
  'hsm-prepended',
]);

/**
 * Thread that runs `C_Encrypt` and `C_Decrypt`.
 * - `async`: on libuv's thread pool, so the event loop keeps serving while
 *   the HSM works. Right for network HSMs such as AWS CloudHSM.
 * - `sync`: on the event loop. Right only for a library that computes in
 *   this process, such as SoftHSM2, where a call takes microseconds and the
 *   thread-pool hop costs more than the call itself. A slow call stalls
 *   every request of the process.
 */
export type Pkcs11CallMode = 'async' | 'sync';

export const CALL_MODES: readonly Pkcs11CallMode[] = Object.freeze(['async', 'sync']);

/**
 * Largest `C_Encrypt`/`C_Decrypt` buffer that AWS CloudHSM accepts for its
 * GCM mechanisms, in bytes (16 KB, from the CloudHSM PKCS#11 known issues).
 */
export const CLOUDHSM_GCM_BUFFER_LIMIT = 16 * 1024;

/** Options of `Pkcs11KeyShareCipher.connect`. */
export interface Pkcs11KeyShareCipherOptions {
  /** Absolute path of the vendor's PKCS#11 library, such as `/usr/lib/softhsm/libsofthsm2.so`. */
  readonly libraryPath: string;
  /** Label of the token that contains the key. Give this or `slot`, not both. */
  readonly tokenLabel?: string;
  /** Slot id (`CK_SLOT_ID`, as `pkcs11-tool --list-slots` prints it). Give this or `tokenLabel`. */
  readonly slot?: number;
  /**
   * The crypto user's PIN. AWS CloudHSM expects `user:password`. The provider
   * keeps it in a private field only and never logs it or puts it in an error.
   */
  readonly pin: string;
  /** `CKA_LABEL` of the AES-256 key. Its versions differ in `CKA_ID`. */
  readonly keyLabel: string;
  /** Sessions opened at most; requests beyond this wait for a free one. @default 4 */
  readonly poolSize?: number;
  /** How long a request waits for a free session, in milliseconds. @default 5000 */
  readonly acquireTimeoutMs?: number;
  /** @default 'caller' */
  readonly ivMode?: Pkcs11IvMode;
  /** @default 'async' */
  readonly callMode?: Pkcs11CallMode;
  /**
   * Whether operations use session-object copies of the key versions
   * (`CKA_TOKEN` false), made at connect. For SoftHSM2, whose file store reads
   * a token key's file on every use. @default false
   */
  readonly sessionKeyCopies?: boolean;
  /**
   * Largest plaintext accepted, in bytes. @default 4096 (the AWS KMS limit,
   * so that moving between providers keeps the API's limit). In the two
   * `hsm-*` modes it may be at most the CloudHSM buffer limit less IV and tag.
   */
  readonly maxPlaintextBytes?: number;
  /**
   * Loads the PKCS#11 library. Tests pass a fake of the `pkcs11js` interface
   * here to reproduce behaviour that SoftHSM2 lacks. @default pkcs11js
   */
  readonly loadLibrary?: (libraryPath: string) => Pkcs11Api;
}

/** Validated options, without the PIN. */
export interface Pkcs11Settings {
  readonly libraryPath: string;
  readonly tokenLabel: string | undefined;
  readonly slot: number | undefined;
  readonly keyLabel: string;
  readonly poolSize: number;
  readonly acquireTimeoutMs: number;
  readonly ivMode: Pkcs11IvMode;
  readonly callMode: Pkcs11CallMode;
  readonly sessionKeyCopies: boolean;
  readonly maxPlaintextBytes: number;
}

const DEFAULT_POOL_SIZE = 4;
const DEFAULT_ACQUIRE_TIMEOUT_MS = 5000;
const DEFAULT_MAX_PLAINTEXT_BYTES = 4096;

/** Checks the options and returns them without the PIN. Throws `TypeError` naming the option. */
export function checkOptions(options: Pkcs11KeyShareCipherOptions): Pkcs11Settings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('PKCS#11 provider options must be an object.');
  }

  checkNonEmptyString(options.libraryPath, 'libraryPath');
  checkPin(options.pin);
  checkKeyLabel(options.keyLabel);
  checkTokenSelection(options.tokenLabel, options.slot);

  const ivMode = options.ivMode ?? 'caller';
  if (!IV_MODES.includes(ivMode)) {
    throw new TypeError(`"ivMode" option must be one of ${IV_MODES.join(', ')}.`);
  }

  const callMode = options.callMode ?? 'async';
  if (!CALL_MODES.includes(callMode)) {
    throw new TypeError(`"callMode" option must be one of ${CALL_MODES.join(', ')}.`);
  }

  const sessionKeyCopies = options.sessionKeyCopies ?? false;
  if (typeof sessionKeyCopies !== 'boolean') {
    throw new TypeError('"sessionKeyCopies" option must be true or false.');
  }

  return Object.freeze({
    libraryPath: options.libraryPath,
    tokenLabel: options.tokenLabel,
    slot: options.slot,
    keyLabel: options.keyLabel,
    poolSize: checkPositiveInteger(options.poolSize ?? DEFAULT_POOL_SIZE, 'poolSize'),
    acquireTimeoutMs: checkPositiveInteger(
      options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      'acquireTimeoutMs',
    ),
    ivMode,
    callMode,
    sessionKeyCopies,
    maxPlaintextBytes: checkMaxPlaintext(
      options.maxPlaintextBytes ?? DEFAULT_MAX_PLAINTEXT_BYTES,
      ivMode,
    ),
  });
}

/** Largest plaintext that fits one CloudHSM GCM buffer together with IV and tag. */
export function cloudHsmMaxPlaintextBytes(): number {
  return CLOUDHSM_GCM_BUFFER_LIMIT - 12 - 16;
}

function checkMaxPlaintext(value: number, ivMode: Pkcs11IvMode): number {
  checkPositiveInteger(value, 'maxPlaintextBytes');
  if (ivMode !== 'caller' && value > cloudHsmMaxPlaintextBytes()) {
    throw new TypeError(
      `"maxPlaintextBytes" option must be at most ${cloudHsmMaxPlaintextBytes()} with ivMode "${ivMode}", ` +
        `because AWS CloudHSM limits GCM buffers to ${CLOUDHSM_GCM_BUFFER_LIMIT} bytes.`,
    );
  }

  return value;
}

function checkTokenSelection(tokenLabel: unknown, slot: unknown): void {
  if (tokenLabel !== undefined && slot !== undefined) {
    throw new TypeError('Give either the "tokenLabel" or the "slot" option, not both.');
  }
  if (tokenLabel === undefined && slot === undefined) {
    throw new TypeError('Either the "tokenLabel" or the "slot" option is required.');
  }
  if (tokenLabel !== undefined) {
    checkNonEmptyString(tokenLabel, 'tokenLabel');
    if (Buffer.byteLength(tokenLabel as string) > 32) {
      throw new TypeError(
        '"tokenLabel" option must be at most 32 UTF-8 bytes (the PKCS#11 label size).',
      );
    }
  }
  if (slot !== undefined && (!Number.isSafeInteger(slot) || (slot as number) < 0)) {
    throw new TypeError('"slot" option must be a non-negative integer slot id.');
  }
}

function checkKeyLabel(value: unknown): void {
  checkNonEmptyString(value, 'keyLabel');
  if (Buffer.byteLength(value as string) > MAX_KEY_LABEL_BYTES) {
    throw new TypeError(`"keyLabel" option must be at most ${MAX_KEY_LABEL_BYTES} UTF-8 bytes.`);
  }
}

function checkPin(value: unknown): void {
  // The message never echoes the value.
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError('"pin" option must be a non-empty string.');
  }
}

function checkNonEmptyString(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new TypeError(`"${name}" option must be a non-empty string.`);
  }
}

function checkPositiveInteger(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new TypeError(`"${name}" option must be a positive integer.`);
  }

  return value as number;
}
