import { describe, expect, it } from '@jest/globals';

import { isKeyShareCipherError } from '@split-kms/core';

import { SessionPool } from '../src/session-pool';

/** Counts sessions with plain numbered buffers; the pool never looks inside a handle. */
function counter(): { open: () => Buffer; close: (handle: Buffer) => void; closed: number[] } {
  let next = 1;
  const closed: number[] = [];

  return { open: () => Buffer.from([next++]), close: (handle) => closed.push(handle[0]!), closed };
}

describe('SessionPool', () => {
  it('opens at most its size and serves waiters in order', async () => {
    const factory = counter();
    const pool = new SessionPool(2, 1000, factory);
    const first = (await pool.acquire())!;
    const second = (await pool.acquire())!;

    const order: number[] = [];
    const third = pool.acquire().then((lease) => order.push(lease!.handle[0]!));
    const fourth = pool.acquire().then((lease) => order.push(lease!.handle[0]!));
    pool.release(second);
    pool.release(first);
    await Promise.all([third, fourth]);

    expect(order).toEqual([2, 1]);
    expect(pool.openCount).toBe(2);
  });

  it('rejects a waiter after the acquire timeout', async () => {
    const pool = new SessionPool(1, 20, counter());
    await pool.acquire();

    const error = await pool.acquire().catch((caught: unknown) => caught);

    expect(isKeyShareCipherError(error)).toBe(true);

    expect((error as { code?: unknown }).code).toBe('PROVIDER_UNAVAILABLE');
    expect((error as Error).message).toBe(
      'No HSM session became free within 20 ms; all 1 sessions are busy.',
    );
  });

  it('closes sessions of an earlier generation on release', async () => {
    const factory = counter();
    const pool = new SessionPool(2, 1000, factory);
    const lease = (await pool.acquire())!;

    pool.reset();
    pool.release(lease);

    expect(factory.closed).toEqual([1]);
    expect(pool.openCount).toBe(0);
  });

  it('sends waiters back to reconnect on reset', async () => {
    const pool = new SessionPool(1, 1000, counter());
    await pool.acquire();
    const waiting = pool.acquire();

    pool.reset();

    expect(await waiting).toBeUndefined();
  });
});
