import { checkCiphertext } from './base-cipher';
import type { HealthStatus, KeyShareCipher } from './cipher';
import type { EncryptionContext } from './context';
import { UnrecognizedCiphertextError } from './errors';

/** Options of `KeyShareCipherRouter`. */
export interface KeyShareCipherRouterOptions {
  /** Encrypts every new ciphertext, and decrypts those it recognises. */
  readonly primary: KeyShareCipher;
  /**
   * Providers kept only to decrypt what they made before, such as AWS KMS
   * after a move to an HSM. Asked in this order after the primary.
   * @default []
   */
  readonly decryptOnly?: readonly KeyShareCipher[];
}

/**
 * Encrypts with a primary provider and decrypts with the first provider that
 * recognises the ciphertext, so a deployment can change providers or keys
 * and still decrypt everything produced before.
 */
export class KeyShareCipherRouter implements KeyShareCipher {
  readonly #primary: KeyShareCipher;
  readonly #providers: readonly KeyShareCipher[];

  constructor(options: KeyShareCipherRouterOptions) {
    if (options?.primary === undefined) {
      throw new TypeError('"primary" option must be a KeyShareCipher.');
    }

    const providers = [options.primary, ...(options.decryptOnly ?? [])];
    if (new Set(providers).size !== providers.length) {
      throw new TypeError('"decryptOnly" option must not repeat a provider or the primary.');
    }

    this.#primary = options.primary;
    this.#providers = Object.freeze(providers);
  }

  get name(): string {
    return this.#primary.name;
  }

  get maxPlaintextBytes(): number {
    return this.#primary.maxPlaintextBytes;
  }

  /** All providers: the primary first, then the decrypt-only ones in order. */
  get providers(): readonly KeyShareCipher[] {
    return this.#providers;
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    return this.#primary.encrypt(plaintext, context);
  }

  async decrypt(ciphertext: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    checkCiphertext(ciphertext);

    const provider = this.providerFor(ciphertext);
    if (provider === undefined) {
      throw new UnrecognizedCiphertextError();
    }

    return provider.decrypt(ciphertext, context);
  }

  /** Returns the provider that would decrypt this ciphertext, if any. */
  providerFor(ciphertext: Uint8Array): KeyShareCipher | undefined {
    return this.#providers.find((provider) => provider.recognizes(ciphertext));
  }

  recognizes(ciphertext: Uint8Array): boolean {
    return this.providerFor(ciphertext) !== undefined;
  }

  async checkHealth(): Promise<HealthStatus> {
    const components = await Promise.all(
      this.#providers.map(async (provider) => safeHealth(provider)),
    );
    const unhealthy = components.filter((component) => !component.healthy);

    return {
      healthy: unhealthy.length === 0,
      provider: this.name,
      detail:
        unhealthy.length === 0
          ? `All ${components.length} providers are healthy.`
          : `Unhealthy: ${unhealthy.map((component) => component.provider).join(', ')}.`,
      components,
    };
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(
      this.#providers.map(async (provider) => provider.close?.()),
    );
    const failures = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failures.length > 0) {
      throw new AggregateError(
        failures.map((failure) => failure.reason as unknown),
        'Closing one or more providers failed.',
      );
    }
  }
}

/** Runs a provider's health check, turning a contract-breaking throw into an unhealthy status. */
async function safeHealth(provider: KeyShareCipher): Promise<HealthStatus> {
  try {
    return await provider.checkHealth();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';

    return { healthy: false, provider: provider.name, detail: `The health check threw ${name}.` };
  }
}
