import { ProviderUnavailableError } from '@split-kms/core';

import type { Handle } from './pkcs11-api';

/** A session lent to one operation, tagged with the pool generation it was opened in. */
export interface SessionLease {
  readonly handle: Handle;
  readonly generation: number;
}

interface Waiter {
  /** Receives a session, or `undefined` when the caller should reconnect and ask again. */
  readonly resolve: (lease: SessionLease | undefined) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** Callbacks that open and close real sessions, so the pool stays free of PKCS#11 details. */
export interface SessionFactory {
  readonly open: () => Handle;
  readonly close: (handle: Handle) => void;
}

/**
 * A bounded set of sessions. One operation uses a session at a time, so two
 * requests never share an operation on one session. Requests beyond the
 * bound wait in order, up to `acquireTimeoutMs`.
 */
export class SessionPool {
  readonly #size: number;
  readonly #acquireTimeoutMs: number;
  readonly #factory: SessionFactory;
  #idle: Handle[] = [];
  #openCount = 0;
  #generation = 0;
  readonly #waiters: Waiter[] = [];

  constructor(size: number, acquireTimeoutMs: number, factory: SessionFactory) {
    this.#size = size;
    this.#acquireTimeoutMs = acquireTimeoutMs;
    this.#factory = factory;
  }

  /** Sessions open now, idle or lent. */
  get openCount(): number {
    return this.#openCount;
  }

  get generation(): number {
    return this.#generation;
  }

  /**
   * Lends an idle session, opens a new one below the bound, or waits for one.
   * Resolves to `undefined` when the pool was reset while waiting, or no
   * session could be opened for the waiter: the caller reconnects and requests a session again.
   */
  async acquire(): Promise<SessionLease | undefined> {
    const idle = this.#idle.pop();
    if (idle !== undefined) {
      return this.#lease(idle);
    }
    if (this.#openCount < this.#size) {
      return this.#lease(this.#openNew());
    }

    return new Promise<SessionLease | undefined>((resolve, reject) => {
      const timer = setTimeout(() => this.#timeOut(waiter), this.#acquireTimeoutMs);
      const waiter: Waiter = { resolve, reject, timer };
      this.#waiters.push(waiter);
    });
  }

  /** Adds a session that the caller opened (the login session) as idle. */
  adopt(handle: Handle): void {
    this.#openCount += 1;
    this.#giveBack(handle);
  }

  /** Takes a session back. A session of an earlier generation is closed instead. */
  release(lease: SessionLease): void {
    if (lease.generation !== this.#generation) {
      this.discard(lease);

      return;
    }

    this.#giveBack(lease.handle);
  }

  /** Closes a session whose state is unknown. Returns the close error, if any. */
  discard(lease: SessionLease): unknown {
    this.#openCount -= 1;
    const closeError = this.#closeQuietly(lease.handle);
    this.#serveNextWaiter();

    return closeError;
  }

  /**
   * Starts a new generation: closes the idle sessions, marks lent ones to be
   * closed on release, and sends waiters back to reconnect. Returns the close errors.
   */
  reset(): unknown[] {
    this.#generation += 1;

    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }

    const idle = this.#idle;
    this.#idle = [];
    this.#openCount -= idle.length;

    return idle.map((handle) => this.#closeQuietly(handle)).filter((error) => error !== undefined);
  }

  /** Rejects every waiter and closes every idle session. Returns the close errors. */
  close(reason: Error): unknown[] {
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
    }

    return this.reset();
  }

  #giveBack(handle: Handle): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#idle.push(handle);

      return;
    }

    clearTimeout(waiter.timer);
    waiter.resolve(this.#lease(handle));
  }

  #serveNextWaiter(): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      return;
    }

    clearTimeout(waiter.timer);
    try {
      waiter.resolve(this.#lease(this.#openNew()));
    } catch {
      // The token may be gone; the waiter reconnects, and that reports the real error.
      waiter.resolve(undefined);
    }
  }

  #openNew(): Handle {
    const handle = this.#factory.open();
    this.#openCount += 1;

    return handle;
  }

  #lease(handle: Handle): SessionLease {
    return { handle, generation: this.#generation };
  }

  #timeOut(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) {
      this.#waiters.splice(index, 1);
    }

    waiter.reject(
      new ProviderUnavailableError(
        `No HSM session became free within ${this.#acquireTimeoutMs} ms; all ${this.#size} sessions are busy.`,
      ),
    );
  }

  #closeQuietly(handle: Handle): unknown {
    try {
      this.#factory.close(handle);

      return undefined;
    } catch (error) {
      return error;
    }
  }
}
