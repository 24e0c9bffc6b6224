import type { EncryptionContext } from './context';

/** The result of a provider's health check. */
export interface HealthStatus {
  readonly healthy: boolean;
  /** Provider name, as in `KeyShareCipher.name`. */
  readonly provider: string;
  /** Description of what was checked or what is wrong, in plain words, without secrets. */
  readonly detail: string;
  /** Results of the providers inside a composite, such as the router. */
  readonly components?: readonly HealthStatus[];
}

/**
 * Encrypts and decrypts key shares under an encryption context.
 *
 * Implementations throw only `KeyShareCipherError` subclasses, and every
 * ciphertext decrypts only with the exact context it was made with.
 * Extend `BaseKeyShareCipher` to get the input checks for free.
 */
export interface KeyShareCipher {
  /** Short provider name for logs and metrics, such as `aws-kms` or `pkcs11`. */
  readonly name: string;

  /** Largest plaintext the provider accepts, in bytes. */
  readonly maxPlaintextBytes: number;

  /** Encrypts `plaintext` bound to `context`. Returns a new ciphertext on every call. */
  encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;

  /** Decrypts a ciphertext made by `encrypt` with the same context. */
  decrypt(ciphertext: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;

  /** Tells, from the ciphertext's format alone, whether this provider made it. */
  recognizes(ciphertext: Uint8Array): boolean;

  /** Checks that the provider can reach and use its key. Never throws. */
  checkHealth(): Promise<HealthStatus>;

  /** Releases sessions, sockets or handles. Optional. */
  close?(): Promise<void>;
}

/** Tells whether a value is a byte array (a `Uint8Array` or a Node.js `Buffer`) from any realm. */
export function isByteArray(value: unknown): value is Uint8Array {
  return (
    ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]'
  );
}
