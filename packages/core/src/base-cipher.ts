import { isByteArray, type HealthStatus, type KeyShareCipher } from './cipher';
import { validateEncryptionContext, type EncryptionContext } from './context';
import {
  InvalidPlaintextError,
  isKeyShareCipherError,
  MalformedCiphertextError,
  PlaintextTooLargeError,
  ProviderFailureError,
  UnrecognizedCiphertextError,
} from './errors';

/**
 * A `KeyShareCipher` that checks every input and output, so providers only
 * implement the cryptographic hooks. The public methods cannot be skipped by
 * a subclass: they validate, call the hook, then validate the result.
 */
export abstract class BaseKeyShareCipher implements KeyShareCipher {
  abstract readonly name: string;
  abstract readonly maxPlaintextBytes: number;

  /** Encrypts validated input. Called only by `encrypt`. */
  protected abstract encryptBytes(
    plaintext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array>;

  /** Decrypts a ciphertext that `recognizes` accepted. Called only by `decrypt`. */
  protected abstract decryptBytes(
    ciphertext: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array>;

  abstract recognizes(ciphertext: Uint8Array): boolean;

  abstract checkHealth(): Promise<HealthStatus>;

  async encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    // Precondition: the plaintext is a non-empty byte array within the provider's limit.
    checkPlaintext(plaintext, this.maxPlaintextBytes);

    // Precondition: the context is a valid string map.
    const checkedContext = validateEncryptionContext(context);

    const ciphertext = await this.#callProvider(async () =>
      this.encryptBytes(plaintext, checkedContext),
    );

    // Postcondition: the provider returns a non-empty ciphertext in its own format.
    if (!isByteArray(ciphertext) || ciphertext.length === 0 || !this.recognizes(ciphertext)) {
      throw new ProviderFailureError(`The ${this.name} provider returned an invalid ciphertext.`);
    }

    return ciphertext;
  }

  async decrypt(ciphertext: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    // Precondition: the ciphertext is a non-empty byte array.
    checkCiphertext(ciphertext);

    // Precondition: the context is a valid string map.
    const checkedContext = validateEncryptionContext(context);

    // Precondition: the ciphertext is in this provider's format.
    if (!this.recognizes(ciphertext)) {
      throw new UnrecognizedCiphertextError(
        `Ciphertext is not in the format of the ${this.name} provider.`,
      );
    }

    const plaintext = await this.#callProvider(async () =>
      this.decryptBytes(ciphertext, checkedContext),
    );

    // Postcondition: the provider returns a non-empty plaintext.
    if (!isByteArray(plaintext) || plaintext.length === 0) {
      throw new ProviderFailureError(`The ${this.name} provider returned an invalid plaintext.`);
    }

    return plaintext;
  }

  async #callProvider(operation: () => Promise<Uint8Array>): Promise<Uint8Array> {
    try {
      return await operation();
    } catch (error) {
      if (isKeyShareCipherError(error)) {
        throw error;
      }
      throw new ProviderFailureError(`The ${this.name} provider failed unexpectedly.`, {
        cause: error,
      });
    }
  }
}

/** Throws the typed error for a plaintext that no provider accepts. */
export function checkPlaintext(
  plaintext: unknown,
  maxBytes: number,
): asserts plaintext is Uint8Array {
  if (!isByteArray(plaintext)) {
    throw new InvalidPlaintextError('Plaintext must be a byte array.');
  }
  if (plaintext.length === 0) {
    throw new InvalidPlaintextError('Plaintext must not be empty.');
  }
  if (plaintext.length > maxBytes) {
    throw new PlaintextTooLargeError(maxBytes);
  }
}

/** Throws the typed error for a ciphertext that cannot be one. */
export function checkCiphertext(ciphertext: unknown): asserts ciphertext is Uint8Array {
  if (!isByteArray(ciphertext)) {
    throw new MalformedCiphertextError('Ciphertext must be a byte array.');
  }
  if (ciphertext.length === 0) {
    throw new MalformedCiphertextError('Ciphertext is empty.');
  }
}
