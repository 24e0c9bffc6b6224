import { isKeyShareCipherError, type KeyShareCipher } from '@split-kms/core';

/** Outcome of reading a share back. */
export type ReadShareResult =
  | { readonly ok: true; readonly share: string }
  | { readonly ok: false; readonly reason: 'not-found' | 'wrong-wallet' };

/**
 * Stores encrypted key shares per wallet. Each ciphertext is bound to its
 * wallet id through the encryption context, so a row copied to another
 * wallet does not decrypt there.
 */
export class ShareVault {
  readonly #rows = new Map<string, Uint8Array>();

  constructor(private readonly cipher: KeyShareCipher) {}

  /** Encrypts and stores a share under a row id, bound to a wallet. */
  async store(rowId: string, walletId: string, share: string): Promise<void> {
    const ciphertext = await this.cipher.encrypt(new TextEncoder().encode(share), {
      ewi: walletId,
    });
    this.#rows.set(rowId, ciphertext);
  }

  /** Decrypts a stored share for the wallet that requests it. */
  async read(rowId: string, walletId: string): Promise<ReadShareResult> {
    const ciphertext = this.#rows.get(rowId);
    if (ciphertext === undefined) {
      return { ok: false, reason: 'not-found' };
    }

    try {
      const plaintext = await this.cipher.decrypt(ciphertext, { ewi: walletId });
      return { ok: true, share: new TextDecoder().decode(plaintext) };
    } catch (error) {
      if (isKeyShareCipherError(error) && error.code === 'DECRYPTION_FAILED') {
        return { ok: false, reason: 'wrong-wallet' };
      }
      throw error;
    }
  }
}
