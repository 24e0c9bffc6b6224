import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import * as pkcs11js from 'pkcs11js';

import { CKM_CLOUDHSM_AES_GCM, encodeKeyVersionId, type Handle, type Pkcs11Api } from '../src';

/**
 * A thin fake of the pkcs11js interface that behaves like AWS CloudHSM where
 * SoftHSM2 cannot: `CKM_AES_GCM` ignores the caller's IV and writes its own
 * into the IV buffer, `CKM_CLOUDHSM_AES_GCM` prepends the IV, and GCM buffers
 * over 16 KB are rejected. It also lets a test remove the token or fail one
 * call with a chosen return value. The AES-GCM itself is real (node:crypto).
 */
export class FakeCloudHsm implements Pkcs11Api {
  static readonly TOKEN_LABEL = 'cloudhsm-fake';
  static readonly PIN = 'crypto_user:password1';

  readonly keyBytes = randomBytes(32);
  /** IVs the fake generated, in order. */
  readonly generatedIvs: Buffer[] = [];
  /** Names of the data calls made (`C_Encrypt`, `C_EncryptAsync`, ...), in order. */
  readonly dataCalls: string[] = [];
  /** `CKR_*` values to throw from the next data calls (encrypt or decrypt), in order. */
  readonly failNextData: number[] = [];
  /** `CKR_*` values to throw from the next `C_CloseSession` calls. */
  readonly failNextClose: number[] = [];

  #initialized = false;
  #loggedIn = false;
  #tokenPresent = true;
  #removalCode = pkcs11js.CKR_TOKEN_NOT_PRESENT;
  #nextHandle = 100;
  readonly #sessions = new Map<string, { operation?: Operation; search?: Handle[] }>();
  readonly #keyHandle = handle(7);
  readonly #slot = handle(1);

  constructor(private readonly keyLabel: string) {}

  /** Removes the token: every call fails with `code` until `insertToken`. */
  removeToken(code: number = pkcs11js.CKR_TOKEN_NOT_PRESENT): void {
    this.#tokenPresent = false;
    this.#removalCode = code;
    this.#sessions.clear();
    this.#loggedIn = false;
  }

  insertToken(): void {
    this.#tokenPresent = true;
  }

  get openSessions(): number {
    return this.#sessions.size;
  }

  C_Initialize(): void {
    if (this.#initialized) {
      throw fail(pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED);
    }
    this.#initialized = true;
  }

  C_GetSlotList(): Handle[] {
    return this.#tokenPresent ? [this.#slot] : [];
  }

  C_GetTokenInfo(): pkcs11js.TokenInfo {
    this.#requireToken();

    return { label: FakeCloudHsm.TOKEN_LABEL.padEnd(32, ' ') } as pkcs11js.TokenInfo;
  }

  C_OpenSession(): Handle {
    this.#requireToken();
    const session = handle(this.#nextHandle++);
    this.#sessions.set(session.toString('hex'), {});

    return session;
  }

  C_CloseSession(session: Handle): void {
    const code = this.failNextClose.shift();
    if (code !== undefined) {
      throw fail(code);
    }
    this.#session(session);
    this.#sessions.delete(session.toString('hex'));
    if (this.#sessions.size === 0) {
      this.#loggedIn = false;
    }
  }

  C_Login(session: Handle, _userType: number, pin?: string): void {
    this.#session(session);
    if (pin !== FakeCloudHsm.PIN) {
      throw fail(pkcs11js.CKR_PIN_INCORRECT);
    }
    if (this.#loggedIn) {
      throw fail(pkcs11js.CKR_USER_ALREADY_LOGGED_IN);
    }
    this.#loggedIn = true;
  }

  C_FindObjectsInit(session: Handle, template: pkcs11js.Template): void {
    const label = template.find((attribute) => attribute.type === pkcs11js.CKA_LABEL)?.value;
    const visible = this.#loggedIn && (label === undefined || label === this.keyLabel);
    this.#session(session).search = visible ? [this.#keyHandle] : [];
  }

  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjects(session: Handle): Handle | null;
  C_FindObjects(session: Handle, maxObjectCount?: number): Handle[] | Handle | null {
    const found = this.#session(session).search?.splice(0, maxObjectCount ?? 1) ?? [];

    return maxObjectCount === undefined ? (found[0] ?? null) : found;
  }

  C_FindObjectsFinal(session: Handle): void {
    delete this.#session(session).search;
  }

  C_GetAttributeValue(
    session: Handle,
    _object: Handle,
    template: pkcs11js.Template,
  ): pkcs11js.TemplateResult {
    this.#session(session);
    const values = new Map<number, Buffer>([
      [pkcs11js.CKA_ID, encodeKeyVersionId(1)],
      [pkcs11js.CKA_KEY_TYPE, ulong(pkcs11js.CKK_AES)],
      [pkcs11js.CKA_VALUE_LEN, ulong(32)],
      [pkcs11js.CKA_ENCRYPT, Buffer.from([1])],
      [pkcs11js.CKA_DECRYPT, Buffer.from([1])],
      [pkcs11js.CKA_LABEL, Buffer.from(this.keyLabel)],
    ]);

    return template.map((attribute) => ({
      type: attribute.type,
      value: values.get(attribute.type) ?? Buffer.alloc(0),
    }));
  }

  /** Like a library without session-object copies. */
  C_CopyObject(): Handle {
    throw fail(pkcs11js.CKR_FUNCTION_NOT_SUPPORTED);
  }

  C_DestroyObject(): void {
    throw fail(pkcs11js.CKR_FUNCTION_NOT_SUPPORTED);
  }

  C_EncryptInit(session: Handle, mechanism: pkcs11js.Mechanism): void {
    this.#startOperation(session, 'encrypt', mechanism);
  }

  C_DecryptInit(session: Handle, mechanism: pkcs11js.Mechanism): void {
    this.#startOperation(session, 'decrypt', mechanism);
  }

  async C_EncryptAsync(session: Handle, data: Buffer, output: Buffer): Promise<Buffer> {
    this.dataCalls.push('C_EncryptAsync');

    return this.#encrypt(session, data, output);
  }

  async C_DecryptAsync(session: Handle, data: Buffer, output: Buffer): Promise<Buffer> {
    this.dataCalls.push('C_DecryptAsync');

    return this.#decrypt(session, data, output);
  }

  C_Encrypt(session: Handle, data: Buffer, output: Buffer): Buffer {
    this.dataCalls.push('C_Encrypt');

    return this.#encrypt(session, data, output);
  }

  C_Decrypt(session: Handle, data: Buffer, output: Buffer): Buffer {
    this.dataCalls.push('C_Decrypt');

    return this.#decrypt(session, data, output);
  }

  #encrypt(session: Handle, data: Buffer, output: Buffer): Buffer {
    const operation = this.#dataStep(session, 'encrypt', data, output);
    const iv = randomBytes(12);
    this.generatedIvs.push(iv);

    const cipher = createCipheriv('aes-256-gcm', this.keyBytes, iv);
    cipher.setAAD(operation.params.aad ?? Buffer.alloc(0));
    const body = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);

    if (operation.mechanism === CKM_CLOUDHSM_AES_GCM) {
      return copyInto(output, Buffer.concat([iv, body]));
    }

    // Like CloudHSM: the caller's IV is ignored and the HSM's IV is written into the IV buffer.
    iv.copy(operation.params.iv);

    return copyInto(output, body);
  }

  #decrypt(session: Handle, data: Buffer, output: Buffer): Buffer {
    const operation = this.#dataStep(session, 'decrypt', data, output);
    const prepended = operation.mechanism === CKM_CLOUDHSM_AES_GCM;
    const iv = prepended ? data.subarray(0, 12) : operation.params.iv;
    const body = prepended ? data.subarray(12) : data;

    const decipher = createDecipheriv('aes-256-gcm', this.keyBytes, iv);
    decipher.setAAD(operation.params.aad ?? Buffer.alloc(0));
    decipher.setAuthTag(body.subarray(body.length - 16));
    try {
      return copyInto(
        output,
        Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]),
      );
    } catch {
      throw fail(pkcs11js.CKR_ENCRYPTED_DATA_INVALID);
    }
  }

  C_GenerateKey(): Handle {
    throw fail(pkcs11js.CKR_FUNCTION_NOT_SUPPORTED);
  }

  #startOperation(session: Handle, kind: Operation['kind'], mechanism: pkcs11js.Mechanism): void {
    const state = this.#session(session);
    if (state.operation !== undefined) {
      throw fail(pkcs11js.CKR_OPERATION_ACTIVE);
    }
    if (!this.#loggedIn) {
      throw fail(pkcs11js.CKR_KEY_HANDLE_INVALID);
    }

    const params = mechanism.parameter as pkcs11js.GcmParams;
    // CKM_CLOUDHSM_AES_GCM wants a NULL IV; an empty buffer stands for it here.
    if (mechanism.mechanism === CKM_CLOUDHSM_AES_GCM && params.iv.length !== 0) {
      throw fail(pkcs11js.CKR_MECHANISM_PARAM_INVALID);
    }
    if (
      mechanism.mechanism !== CKM_CLOUDHSM_AES_GCM &&
      mechanism.mechanism !== pkcs11js.CKM_AES_GCM
    ) {
      throw fail(pkcs11js.CKR_MECHANISM_INVALID);
    }

    state.operation = { kind, mechanism: mechanism.mechanism, params };
  }

  #dataStep(session: Handle, kind: Operation['kind'], data: Buffer, output: Buffer): Operation {
    const state = this.#session(session);
    const operation = state.operation;
    if (operation?.kind !== kind) {
      throw fail(pkcs11js.CKR_OPERATION_NOT_INITIALIZED);
    }

    const code = this.failNextData.shift();
    if (code === pkcs11js.CKR_BUFFER_TOO_SMALL) {
      // Per PKCS#11, the operation stays active after this return value.
      throw fail(code);
    }

    delete state.operation;
    if (code !== undefined) {
      throw fail(code);
    }
    if (data.length > GCM_BUFFER_LIMIT || output.length > GCM_BUFFER_LIMIT) {
      throw fail(pkcs11js.CKR_DATA_LEN_RANGE);
    }

    return operation;
  }

  #session(session: Handle): { operation?: Operation; search?: Handle[] } {
    this.#requireToken();
    const state = this.#sessions.get(session.toString('hex'));
    if (state === undefined) {
      throw fail(pkcs11js.CKR_SESSION_HANDLE_INVALID);
    }

    return state;
  }

  #requireToken(): void {
    if (!this.#tokenPresent) {
      throw fail(this.#removalCode);
    }
  }
}

interface Operation {
  readonly kind: 'encrypt' | 'decrypt';
  readonly mechanism: number;
  readonly params: pkcs11js.GcmParams;
}

const GCM_BUFFER_LIMIT = 16 * 1024;

const RETURN_VALUE_NAMES = new Map<number, string>(
  Object.entries(pkcs11js)
    .filter(([name, value]) => name.startsWith('CKR_') && typeof value === 'number')
    .map(([name, value]) => [value as number, name]),
);

/** Creates an error shaped like pkcs11js's `Pkcs11Error`: the `CKR_*` name as message, the value as code. */
function fail(code: number): Error {
  return Object.assign(new Error(RETURN_VALUE_NAMES.get(code) ?? `CKR_0x${code.toString(16)}`), {
    code,
  });
}

function handle(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value));

  return buffer;
}

function ulong(value: number): Buffer {
  return handle(value);
}

function copyInto(output: Buffer, result: Buffer): Buffer {
  if (result.length > output.length) {
    throw fail(pkcs11js.CKR_BUFFER_TOO_SMALL);
  }
  result.copy(output);

  return output.subarray(0, result.length);
}
