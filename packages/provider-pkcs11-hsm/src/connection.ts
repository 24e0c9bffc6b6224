import * as pkcs11js from 'pkcs11js';

import {
  isKeyShareCipherError,
  ProviderUnavailableError,
  type KeyShareCipherError,
} from '@split-kms/core';

import { findKeySet, type HsmKeySet } from './key-directory';
import type { Pkcs11Settings } from './options';
import type { Handle, Pkcs11Api } from './pkcs11-api';
import {
  hasReturnValue,
  isConnectionLost,
  mayLeaveOperationActive,
  toConnectionError,
  toLoginError,
} from './pkcs11-errors';
import { initializeLibrary, openLibrary } from './pkcs11-module';
import { SessionKeyCopies } from './session-key-copies';
import { SessionPool, type SessionLease } from './session-pool';
import { findSlot } from './slot';

/** The library, a session of its own and the key versions, as an operation receives them. */
export interface OperationScope {
  readonly library: Pkcs11Api;
  readonly session: Handle;
  readonly keys: HsmKeySet;
}

/** Converts a failed operation's error, with `cause` set to what should be kept for logs. */
export type ErrorMapper = (error: unknown, cause: unknown) => KeyShareCipherError;

/** How often one request may go back to reconnect while it waits for a session. */
const MAX_ACQUIRE_ATTEMPTS = 3;

interface ConnectionState {
  readonly slot: Handle;
  /**
   * The session that logged in. It stays open and is never lent, because
   * closing a token's last session logs the user out. Only synchronous calls
   * (key lookups) use it, so they never overlap.
   */
  readonly loginSession: Handle;
  /** Session-object copies of the keys, when the `sessionKeyCopies` option is on. */
  readonly copies: SessionKeyCopies | undefined;
  keys: HsmKeySet;
}

/**
 * The provider's link to one token: library, slot, login, session pool and
 * key handles. When a session, the login or the token is lost, the failing
 * request gets its error and the next request sets everything up again.
 */
export class Pkcs11Connection {
  readonly #settings: Pkcs11Settings;
  readonly #pin: string;
  readonly #library: Pkcs11Api;
  readonly #pool: SessionPool;
  #state: Promise<ConnectionState> | undefined;
  #current: ConnectionState | undefined;
  #closed = false;

  private constructor(settings: Pkcs11Settings, pin: string, library: Pkcs11Api) {
    this.#settings = settings;
    this.#pin = pin;
    this.#library = library;
    this.#pool = new SessionPool(settings.poolSize, settings.acquireTimeoutMs, {
      open: () => this.#openSession(),
      close: (handle) => this.#library.C_CloseSession(handle),
    });
  }

  /** Loads the library, logs in and finds the key. Throws the typed start-up error. */
  static async open(
    settings: Pkcs11Settings,
    pin: string,
    load: (path: string) => Pkcs11Api,
  ): Promise<Pkcs11Connection> {
    const connection = new Pkcs11Connection(settings, pin, openLibrary(settings.libraryPath, load));
    await connection.#ready();

    return connection;
  }

  /** Operation sessions open now, not counting the login session. */
  get openSessionCount(): number {
    return this.#pool.openCount;
  }

  /**
   * Runs one operation on a session of its own. A session that may still
   * hold an active operation is closed; a lost connection is set up again
   * on the next call. `mapError` turns the failure into the caller's error.
   */
  async run<T>(
    operation: (scope: OperationScope) => Promise<T>,
    mapError: ErrorMapper,
  ): Promise<T> {
    const { state, lease } = await this.#acquire(mapError);

    try {
      const result = await operation({
        library: this.#library,
        session: lease.handle,
        keys: state.keys,
      });
      this.#pool.release(lease);

      return result;
    } catch (error) {
      throw this.#recover(error, lease, mapError);
    }
  }

  /** Returns the key versions found at the last (re)connect or refresh. */
  async keys(): Promise<HsmKeySet> {
    return (await this.#ready()).keys;
  }

  /**
   * Finds the key versions again on the login session, such as after a
   * rotation, and checks that the newest may encrypt. Used by the health check too.
   */
  async refreshKeys(): Promise<HsmKeySet> {
    const state = await this.#ready();

    try {
      const keys = findKeySet(this.#library, state.loginSession, this.#settings.keyLabel);
      state.keys = state.copies?.apply(keys) ?? keys;

      return state.keys;
    } catch (error) {
      if (isConnectionLost(error)) {
        const cleanupErrors = this.#reset(state);
        throw toConnectionError(error, withCleanupErrors(error, cleanupErrors));
      }

      throw isKeyShareCipherError(error) ? error : toConnectionError(error, error);
    }
  }

  /**
   * Closes every session of this provider and rejects waiting requests. Leaves
   * the library initialized. A session that is already gone (the library was
   * finalized, or the token reset) needs no closing, so that error is ignored.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const errors = this.#pool.close(
      new ProviderUnavailableError('The PKCS#11 provider was closed.'),
    );
    if (this.#current !== undefined) {
      errors.push(...this.#reset(this.#current));
    }

    const failures = errors.filter((error) => !isConnectionLost(error));
    if (failures.length > 0) {
      throw new AggregateError(failures, 'Closing one or more HSM sessions failed.');
    }
  }

  /**
   * Waits for a connection and a free session. A request that waited through
   * a reconnect requests a session again, a bounded number of times.
   */
  async #acquire(mapError: ErrorMapper): Promise<{ state: ConnectionState; lease: SessionLease }> {
    for (let attempt = 1; attempt <= MAX_ACQUIRE_ATTEMPTS; attempt += 1) {
      const state = await this.#ready();
      const lease = await this.#pool.acquire().catch((error: unknown) => {
        throw this.#recoverWithoutSession(error, mapError);
      });
      if (lease !== undefined) {
        return { state: this.#current ?? state, lease };
      }
    }

    throw new ProviderUnavailableError(
      `No HSM session could be opened after ${MAX_ACQUIRE_ATTEMPTS} reconnects; the token keeps failing.`,
    );
  }

  #recover(error: unknown, lease: SessionLease, mapError: ErrorMapper): KeyShareCipherError {
    if (isConnectionLost(error)) {
      // Reset before the session goes back, so no waiter gets a session of the lost connection.
      const resetErrors =
        lease.generation === this.#pool.generation && this.#current
          ? this.#reset(this.#current)
          : [];
      const closeError = this.#pool.discard(lease);

      return mapError(error, withCleanupErrors(error, [closeError, ...resetErrors]));
    }

    if (!isKeyShareCipherError(error) && mayLeaveOperationActive(error)) {
      // Closing the session ends the operation, so no later request inherits it.
      const closeError = this.#pool.discard(lease);

      return mapError(error, withCleanupErrors(error, [closeError]));
    }

    this.#pool.release(lease);

    return mapError(error, error);
  }

  #recoverWithoutSession(error: unknown, mapError: ErrorMapper): KeyShareCipherError {
    if (isConnectionLost(error) && this.#current !== undefined) {
      const resetErrors = this.#reset(this.#current);

      return mapError(error, withCleanupErrors(error, resetErrors));
    }

    return mapError(error, error);
  }

  /** Forgets the state, closes the idle sessions and the login session. Returns the close errors. */
  #reset(state: ConnectionState): unknown[] {
    if (this.#current !== state) {
      return [];
    }

    this.#current = undefined;
    this.#state = undefined;
    const errors = this.#pool.reset();
    const loginCloseError = this.#closeQuietly(state.loginSession);

    return loginCloseError === undefined ? errors : [...errors, loginCloseError];
  }

  async #ready(): Promise<ConnectionState> {
    if (this.#closed) {
      throw new ProviderUnavailableError('The PKCS#11 provider was closed.');
    }

    this.#state ??= this.#establish().then(
      (state) => {
        this.#current = state;

        return state;
      },
      (error: unknown) => {
        this.#state = undefined;
        throw error;
      },
    );

    return this.#state;
  }

  /** Initializes the library if needed, finds the slot, logs in and finds the key. */
  async #establish(): Promise<ConnectionState> {
    initializeLibrary(this.#library);
    this.#pool.reset();

    const slot = this.#findSlot();
    const loginSession = this.#openSessionOn(slot);
    try {
      this.#login(loginSession);
      const keys = findKeySet(this.#library, loginSession, this.#settings.keyLabel);
      const copies = this.#settings.sessionKeyCopies
        ? new SessionKeyCopies(this.#library, loginSession)
        : undefined;

      return { slot, loginSession, copies, keys: copies?.apply(keys) ?? keys };
    } catch (error) {
      this.#closeQuietly(loginSession);
      throw isKeyShareCipherError(error) ? error : toConnectionError(error, error);
    }
  }

  #findSlot(): Handle {
    try {
      return findSlot(this.#library, this.#settings);
    } catch (error) {
      throw isKeyShareCipherError(error) ? error : toConnectionError(error, error);
    }
  }

  #openSession(): Handle {
    if (this.#current === undefined) {
      throw new ProviderUnavailableError(
        'The PKCS#11 provider lost its token; the next request reconnects.',
      );
    }

    return this.#openSessionOn(this.#current.slot);
  }

  #openSessionOn(slot: Handle): Handle {
    try {
      return this.#library.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    } catch (error) {
      throw toConnectionError(error, error);
    }
  }

  /** Logs the crypto user in. The login holds for every session of this process on the token. */
  #login(session: Handle): void {
    try {
      this.#library.C_Login(session, pkcs11js.CKU_USER, this.#pin);
    } catch (error) {
      // Precondition: only "already logged in" counts as logged in.
      if (hasReturnValue(error, pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) {
        return;
      }

      throw toLoginError(error);
    }
  }

  #closeQuietly(session: Handle): unknown {
    try {
      this.#library.C_CloseSession(session);

      return undefined;
    } catch (error) {
      return error;
    }
  }
}

function withCleanupErrors(error: unknown, cleanupErrors: readonly unknown[]): unknown {
  const failures = cleanupErrors.filter((cleanupError) => cleanupError !== undefined);
  if (failures.length === 0) {
    return error;
  }

  return new AggregateError(
    [error, ...failures],
    'The HSM operation failed, and closing its sessions failed too.',
  );
}
