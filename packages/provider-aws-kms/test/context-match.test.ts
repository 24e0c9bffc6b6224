import { describe, expect, it } from '@jest/globals';

import { isMessageContextOf } from '../src/context-match';

const EXPECTED = { ewi: 'wallet-1' };

describe('isMessageContextOf', () => {
  it('accepts the same context', () => {
    expect(isMessageContextOf({ ewi: 'wallet-1' }, EXPECTED)).toBe(true);
  });

  it('ignores entries the Encryption SDK adds', () => {
    expect(isMessageContextOf({ ewi: 'wallet-1', 'aws-crypto-public-key': 'AAAA' }, EXPECTED)).toBe(
      true,
    );
  });

  it('rejects another value', () => {
    expect(isMessageContextOf({ ewi: 'wallet-2' }, EXPECTED)).toBe(false);
  });

  it('rejects an extra entry', () => {
    expect(isMessageContextOf({ ewi: 'wallet-1', tenant: 't' }, EXPECTED)).toBe(false);
  });

  it('rejects a missing entry', () => {
    expect(isMessageContextOf({ ewi: 'wallet-1' }, { ewi: 'wallet-1', tenant: 't' })).toBe(false);
  });

  it('rejects a key inherited from the prototype', () => {
    expect(isMessageContextOf({ constructor: 'x' }, EXPECTED)).toBe(false);
  });
});
