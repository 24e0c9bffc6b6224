import * as pkcs11js from 'pkcs11js';

import { KeyUnusableError } from '@split-kms/core';

import type { HsmKeySet, HsmKeyVersion } from './key-directory';
import type { Handle, Pkcs11Api } from './pkcs11-api';
import { hasReturnValue, isConnectionLost } from './pkcs11-errors';

/** PKCS#11 2.40 `CKR_ACTION_PROHIBITED`: the key's `CKA_COPYABLE` is false. pkcs11js lacks it. */
const CKR_ACTION_PROHIBITED = 0x1b;

/** Attributes of a copy: a session object, so the library keeps it in memory. */
const COPY_TEMPLATE: pkcs11js.Template = [{ type: pkcs11js.CKA_TOKEN, value: false }];

/**
 * Session-object copies of the key versions, made on the login session.
 * SoftHSM2's file store reads a token key's file again on every use, while a
 * session object stays in memory. A copy keeps the key inside the HSM with
 * the same `CKA_SENSITIVE` and `CKA_EXTRACTABLE`, and ends with the login session.
 */
export class SessionKeyCopies {
  readonly #library: Pkcs11Api;
  readonly #session: Handle;
  /** Copy handle per token-object handle (hex). */
  #copies = new Map<string, Handle>();

  /** `session` is the login session, which outlives every operation session. */
  constructor(library: Pkcs11Api, session: Handle) {
    this.#library = library;
    this.#session = session;
  }

  /**
   * Returns the key set with each version's handle replaced by its copy.
   * Copies versions seen for the first time and destroys the copies of
   * versions no longer on the token.
   *
   * @throws KeyUnusableError when a version may not be copied (`CKA_COPYABLE` false) or the
   *   library cannot copy it.
   */
  apply(keys: HsmKeySet): HsmKeySet {
    const next = new Map<string, Handle>();
    const versions = new Map<number, HsmKeyVersion>();

    try {
      for (const [number, version] of keys.versions) {
        const id = version.handle.toString('hex');
        const copy = this.#copies.get(id) ?? this.#copy(keys.label, version);
        next.set(id, copy);
        versions.set(number, { ...version, handle: copy });
      }
    } catch (error) {
      this.#destroyNew(next);
      throw error;
    }

    for (const [id, copy] of this.#copies) {
      if (!next.has(id)) {
        this.#destroyQuietly(copy);
      }
    }
    this.#copies = next;

    return { label: keys.label, newest: versions.get(keys.newest.version)!, versions };
  }

  #copy(label: string, version: HsmKeyVersion): Handle {
    try {
      return this.#library.C_CopyObject(this.#session, version.handle, COPY_TEMPLATE);
    } catch (error) {
      if (isConnectionLost(error)) {
        throw error;
      }

      const reason = hasReturnValue(error, CKR_ACTION_PROHIBITED)
        ? 'may not be copied (CKA_COPYABLE is false)'
        : `could not be copied into a session object (${error instanceof Error ? error.message : String(error)})`;
      throw new KeyUnusableError(
        `HSM key "${label}" version ${version.version} ${reason}. ` +
          'Turn session key copies off for this key (option "sessionKeyCopies", PKCS11_SESSION_KEY_COPIES in the API).',
        { cause: error },
      );
    }
  }

  /** Destroys the copies made by a failed `apply`, keeping those made before it. */
  #destroyNew(next: ReadonlyMap<string, Handle>): void {
    for (const [id, copy] of next) {
      if (!this.#copies.has(id)) {
        this.#destroyQuietly(copy);
      }
    }
  }

  #destroyQuietly(copy: Handle): void {
    try {
      this.#library.C_DestroyObject(this.#session, copy);
    } catch {
      // A copy that cannot be destroyed ends with the login session anyway.
    }
  }
}
