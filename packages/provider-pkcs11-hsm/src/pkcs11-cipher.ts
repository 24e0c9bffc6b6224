import {
  AES_GCM_IV_BYTES,
  AES_GCM_TAG_BYTES,
  BaseKeyShareCipher,
  CiphertextAlgorithm,
  CiphertextProviderId,
  concatBytes,
  DecryptionFailedError,
  encodeEncryptionContext,
  isCiphertextOfProvider,
  isKeyShareCipherError,
  MalformedCiphertextError,
  parseCiphertext,
  ProviderFailureError,
  serializeHeader,
  type EncryptionContext,
  type HealthStatus,
  type KeyShareCipherError,
} from '@split-kms/core';

import { Pkcs11Connection, type OperationScope } from './connection';
import {
  encryptWithHsmIv,
  encryptWithIv,
  encryptWithPrependedIv,
  finishDecrypt,
  isAllZero,
  startDecryptWithIv,
  startDecryptWithPrependedIv,
  type GcmInput,
} from './gcm';
import { checkHealth } from './health';
import { IvSource } from './iv-source';
import {
  checkOptions,
  CLOUDHSM_GCM_BUFFER_LIMIT,
  type Pkcs11KeyShareCipherOptions,
  type Pkcs11Settings,
} from './options';
import { DecryptStepError, toDecryptError, toOperationError } from './pkcs11-errors';
import { loadPkcs11js } from './pkcs11-module';

/** Unknown key versions trigger a key lookup at most this often, in milliseconds. */
const KEY_REFRESH_INTERVAL_MS = 10_000;

const ZERO_IV = new Uint8Array(AES_GCM_IV_BYTES);
const ivSource = new IvSource();
const utf8 = new TextEncoder();

/**
 * AES-256-GCM inside a PKCS#11 HSM (SoftHSM2, AWS CloudHSM, other vendors)
 * through pkcs11js. The key never leaves the HSM.
 *
 * Output: the Split KMS header (provider id 2, key label and version, IV),
 * then ciphertext and 16-byte tag. AAD: the header bytes followed by the
 * canonical encryption context. When the HSM picks the IV (the `hsm-*` IV
 * modes), the header's IV field is zero and the real IV comes first after
 * the header. The package README documents the byte layout.
 */
export class Pkcs11KeyShareCipher extends BaseKeyShareCipher {
  readonly name = 'pkcs11';
  readonly maxPlaintextBytes: number;
  readonly #settings: Pkcs11Settings;
  readonly #connection: Pkcs11Connection;
  readonly #keyLabelBytes: Uint8Array;
  #lastKeyRefresh = 0;

  private constructor(settings: Pkcs11Settings, connection: Pkcs11Connection) {
    super();
    this.#settings = settings;
    this.#connection = connection;
    this.#keyLabelBytes = utf8.encode(settings.keyLabel);
    this.maxPlaintextBytes = settings.maxPlaintextBytes;
  }

  /**
   * Loads the library, logs in and finds the key, so that a wrong setting
   * fails at start-up. Throws `TypeError` for invalid options, and
   * `ProviderUnavailableError` (library or token not found),
   * `KeyAccessDeniedError` (wrong PIN), `KeyNotFoundError` or
   * `KeyUnusableError` (the key may not encrypt) otherwise.
   */
  static async connect(options: Pkcs11KeyShareCipherOptions): Promise<Pkcs11KeyShareCipher> {
    const settings = checkOptions(options);
    const connection = await Pkcs11Connection.open(
      settings,
      options.pin,
      options.loadLibrary ?? loadPkcs11js,
    );

    return new Pkcs11KeyShareCipher(settings, connection);
  }

  /** Label, IV mode and pool size, without the PIN. */
  get settings(): Pkcs11Settings {
    return this.#settings;
  }

  /** Sessions open now (idle or in use), at most `poolSize`. */
  get openSessionCount(): number {
    return this.#connection.openSessionCount;
  }

  /** Recognises Split KMS ciphertexts of the PKCS#11 provider under this key label. */
  recognizes(ciphertext: Uint8Array): boolean {
    if (!isCiphertextOfProvider(ciphertext, CiphertextProviderId.PKCS11)) {
      return false;
    }

    const label = ciphertext.subarray(8, 8 + (ciphertext[7] ?? 0));

    return (
      ciphertext[7] === this.#keyLabelBytes.length && Buffer.from(label).equals(this.#keyLabelBytes)
    );
  }

  async checkHealth(): Promise<HealthStatus> {
    return checkHealth(this.#connection, this.name, this.#settings.keyLabel);
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }

  protected async encryptBytes(
    plaintext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    // pkcs11js takes a Buffer. The copy is zeroed once the HSM has read it.
    const copy = Buffer.from(plaintext);

    try {
      return await this.#connection.run(
        async (scope) => this.#encryptInSession(scope, copy, context),
        (error, cause) => keepTypedError(error, cause) ?? toOperationError(error, 'encrypt', cause),
      );
    } finally {
      copy.fill(0);
    }
  }

  protected async decryptBytes(
    ciphertext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const parsed = parseCiphertext(ciphertext);
    const ivFollowsHeader = isAllZero(parsed.header.iv);

    // Precondition: a header whose IV field is zero is followed by the IV, the ciphertext and the tag.
    if (ivFollowsHeader && parsed.payload.length < AES_GCM_IV_BYTES + AES_GCM_TAG_BYTES + 1) {
      throw new MalformedCiphertextError('Ciphertext is truncated.');
    }
    // Precondition: the CloudHSM IV modes accept at most one GCM buffer.
    if (this.#settings.ivMode !== 'caller' && parsed.payload.length > CLOUDHSM_GCM_BUFFER_LIMIT) {
      throw new MalformedCiphertextError(
        `Ciphertext is larger than the HSM's ${CLOUDHSM_GCM_BUFFER_LIMIT}-byte limit.`,
      );
    }

    await this.#refreshKeysIfUnknown(parsed.header.keyVersion);
    const aad = Buffer.from(concatBytes([parsed.headerBytes, encodeEncryptionContext(context)]));

    return this.#connection.run(
      async (scope) => {
        const key = scope.keys.versions.get(parsed.header.keyVersion);
        // Precondition: the header names a version of this key. An unknown one fails like a wrong key.
        if (key === undefined || parsed.header.keyLabel !== this.#settings.keyLabel) {
          throw new DecryptionFailedError();
        }

        const input: GcmInput = {
          library: scope.library,
          session: scope.session,
          key: key.handle,
          aad,
          callMode: this.#settings.callMode,
        };

        return this.#decryptInSession(
          input,
          Buffer.from(parsed.header.iv),
          Buffer.from(parsed.payload),
          ivFollowsHeader,
        );
      },
      (error, cause) => keepTypedError(error, cause) ?? toOperationError(error, 'decrypt', cause),
    );
  }

  async #encryptInSession(
    scope: OperationScope,
    plaintext: Buffer,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const key = scope.keys.newest;
    const headerIv = this.#settings.ivMode === 'caller' ? randomNonZeroIv() : Buffer.from(ZERO_IV);
    const header = serializeHeader({
      providerId: CiphertextProviderId.PKCS11,
      algorithm: CiphertextAlgorithm.AES_256_GCM,
      keyLabel: scope.keys.label,
      keyVersion: key.version,
      iv: headerIv,
    });
    const input: GcmInput = {
      library: scope.library,
      session: scope.session,
      key: key.handle,
      aad: Buffer.from(concatBytes([header, encodeEncryptionContext(context)])),
      callMode: this.#settings.callMode,
    };

    switch (this.#settings.ivMode) {
      case 'caller':
        return concatBytes([header, await encryptWithIv(input, headerIv, plaintext)]);
      case 'hsm-generated':
        return concatBytes([header, ...checkHsmIv(await encryptWithHsmIv(input, plaintext))]);
      case 'hsm-prepended':
        return concatBytes([
          header,
          checkPrependedOutput(await encryptWithPrependedIv(input, plaintext), plaintext),
        ]);
    }
  }

  async #decryptInSession(
    input: GcmInput,
    headerIv: Buffer,
    payload: Buffer,
    ivFollowsHeader: boolean,
  ): Promise<Buffer> {
    if (ivFollowsHeader && this.#settings.ivMode === 'hsm-prepended') {
      startDecryptWithPrependedIv(input);

      return finishDecryptOrReject(input, payload);
    }

    const iv = ivFollowsHeader ? payload.subarray(0, AES_GCM_IV_BYTES) : headerIv;
    const body = ivFollowsHeader ? payload.subarray(AES_GCM_IV_BYTES) : payload;
    startDecryptWithIv(input, Buffer.from(iv));

    return finishDecryptOrReject(input, body);
  }

  /** Looks the key up again when it lacks the version, such as after a rotation by another process. */
  async #refreshKeysIfUnknown(version: number): Promise<void> {
    const keys = await this.#connection.keys();
    if (keys.versions.has(version) || Date.now() - this.#lastKeyRefresh < KEY_REFRESH_INTERVAL_MS) {
      return;
    }

    this.#lastKeyRefresh = Date.now();
    await this.#connection.refreshKeys();
  }
}

async function finishDecryptOrReject(input: GcmInput, data: Buffer): Promise<Buffer> {
  try {
    return await finishDecrypt(input, data);
  } catch (error) {
    throw new DecryptStepError(error);
  }
}

function keepTypedError(error: unknown, cause: unknown): KeyShareCipherError | undefined {
  if (isKeyShareCipherError(error)) {
    return error;
  }
  if (error instanceof DecryptStepError) {
    return toDecryptError(error.original, cause === error ? error.original : cause);
  }

  return undefined;
}

function randomNonZeroIv(): Buffer {
  // An all-zero IV field marks "IV follows the header", so caller IVs are never zero.
  for (;;) {
    const iv = ivSource.next();
    if (!isAllZero(iv)) {
      return iv;
    }
  }
}

function checkHsmIv(result: { readonly iv: Buffer; readonly body: Buffer }): [Buffer, Buffer] {
  // Postcondition: the HSM wrote its own IV. A library that kept the zero IV does not support this mode.
  if (isAllZero(result.iv)) {
    throw new ProviderFailureError(
      'The HSM did not return a generated IV. ivMode "hsm-generated" needs an HSM that writes its IV ' +
        'into CK_GCM_PARAMS, such as AWS CloudHSM; use ivMode "caller" for this HSM.',
    );
  }

  return [result.iv, result.body];
}

function checkPrependedOutput(output: Buffer, plaintext: Buffer): Buffer {
  // Postcondition: the vendor mechanism returned IV, ciphertext and tag, with a non-zero IV.
  if (
    output.length !== AES_GCM_IV_BYTES + plaintext.length + AES_GCM_TAG_BYTES ||
    isAllZero(output.subarray(0, AES_GCM_IV_BYTES))
  ) {
    throw new ProviderFailureError(
      'The HSM did not return IV, ciphertext and tag for CKM_CLOUDHSM_AES_GCM. ivMode "hsm-prepended" needs AWS CloudHSM.',
    );
  }

  return output;
}
