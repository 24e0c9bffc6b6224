import { randomFillSync } from 'node:crypto';

import { AES_GCM_IV_BYTES } from '@split-kms/core';

/** IVs drawn per call into node:crypto's CSPRNG. */
const IVS_PER_FILL = 256;

/**
 * Random 96-bit GCM IVs, taken from a buffer that node:crypto refills 256 IVs
 * at a time: one call into the CSPRNG per 256 encryptions instead of one per
 * encryption. Each IV is a copy, and no byte of the buffer is handed out twice.
 */
export class IvSource {
  readonly #pool = Buffer.alloc(AES_GCM_IV_BYTES * IVS_PER_FILL);
  #offset = this.#pool.length;

  next(): Buffer {
    if (this.#offset === this.#pool.length) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }

    const iv = Buffer.from(this.#pool.subarray(this.#offset, this.#offset + AES_GCM_IV_BYTES));
    this.#offset += AES_GCM_IV_BYTES;

    return iv;
  }
}
