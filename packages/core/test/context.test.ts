import fc from 'fast-check';

import {
  compareBytes,
  decodeEncryptionContext,
  encodeEncryptionContext,
  InvalidEncryptionContextError,
  MAX_CONTEXT_ENCODED_BYTES,
  MAX_CONTEXT_ENTRIES,
  validateEncryptionContext,
  type EncryptionContext,
} from '../src';

const contextArbitrary = fc.dictionary(
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
    .filter((key) => !key.startsWith('aws-crypto-')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  { minKeys: 1, maxKeys: 8 },
);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('validateEncryptionContext', () => {
  it('returns a frozen copy', () => {
    const input = { ewi: 'wallet-1' };

    const result = validateEncryptionContext(input);

    expect(result).toEqual(input);
    expect(result).not.toBe(input);
    expect(Object.isFrozen(result)).toBe(true);
  });

  it.each([
    ['null', null, 'Encryption context must be an object of strings.'],
    ['a string', 'ewi', 'Encryption context must be an object of strings.'],
    ['an array', [['ewi', 'x']], 'Encryption context must be an object of strings.'],
    ['an empty object', {}, 'Encryption context must have at least one entry.'],
    ['an empty key', { '': 'x' }, 'Encryption context keys must not be empty.'],
    [
      'a lone surrogate key',
      { '\ud800': 'x' },
      'Encryption context keys must be well-formed Unicode.',
    ],
    [
      'a reserved key',
      { 'aws-crypto-public-key': 'x' },
      'Encryption context key "aws-crypto-public-key" uses the reserved prefix "aws-crypto-".',
    ],
    ['a number value', { ewi: 7 }, 'Encryption context value of "ewi" must be a string.'],
    ['an empty value', { ewi: '' }, 'Encryption context value of "ewi" must not be empty.'],
    [
      'a lone surrogate value',
      { ewi: 'a\udc00' },
      'Encryption context value of "ewi" must be well-formed Unicode.',
    ],
  ])('rejects %s', (_name, context, message) => {
    expect(() => validateEncryptionContext(context)).toThrow(
      new InvalidEncryptionContextError(message),
    );
  });

  it('rejects too many entries', () => {
    const context = Object.fromEntries(
      Array.from({ length: MAX_CONTEXT_ENTRIES + 1 }, (_, index) => [`k${index}`, 'v']),
    );

    expect(() => validateEncryptionContext(context)).toThrow(/maximum is 32/);
  });

  it('rejects an oversized encoding', () => {
    const context = { ewi: 'x'.repeat(MAX_CONTEXT_ENCODED_BYTES) };

    expect(() => validateEncryptionContext(context)).toThrow(
      /encodes to 8201 bytes; the maximum is 8192/,
    );
  });

  it('rejects with the typed code', () => {
    expect.assertions(1);
    try {
      validateEncryptionContext({ ewi: '' });
    } catch (error) {
      expect((error as InvalidEncryptionContextError).code).toBe('INVALID_ENCRYPTION_CONTEXT');
    }
  });
});

describe('encodeEncryptionContext', () => {
  it('encodes the documented layout', () => {
    const encoded = encodeEncryptionContext({ ewi: 'w1' });

    expect(hex(encoded)).toBe(
      '0001' + '0003' + hex(Buffer.from('ewi')) + '0002' + hex(Buffer.from('w1')),
    );
  });

  it('sorts keys by UTF-8 bytes', () => {
    // UTF-16 puts the emoji (0xD83D...) before U+FF61; UTF-8 puts it after (0xF0 > 0xEF).
    const encoded = encodeEncryptionContext({ '\u{1F600}': 'b', '\uFF61': 'a' });

    expect(hex(encoded.subarray(2, 7))).toBe('0003' + hex(Buffer.from('\uFF61')));
  });

  it('ignores insertion order', () => {
    expect(encodeEncryptionContext({ a: '1', b: '2' })).toEqual(
      encodeEncryptionContext({ b: '2', a: '1' }),
    );
  });

  it('rejects a field over 65535 bytes', () => {
    expect(() => encodeEncryptionContext({ ewi: 'x'.repeat(0x10000) })).toThrow(
      InvalidEncryptionContextError,
    );
  });

  it('round trips any valid context (property)', () => {
    fc.assert(
      fc.property(contextArbitrary, (context) => {
        expect(decodeEncryptionContext(encodeEncryptionContext(context))).toEqual(context);
      }),
    );
  });

  it('encodes different contexts differently (property)', () => {
    fc.assert(
      fc.property(contextArbitrary, contextArbitrary, (first, second) => {
        fc.pre(
          JSON.stringify(Object.entries(first).sort()) !==
            JSON.stringify(Object.entries(second).sort()),
        );

        expect(hex(encodeEncryptionContext(first))).not.toBe(hex(encodeEncryptionContext(second)));
      }),
    );
  });
});

describe('decodeEncryptionContext', () => {
  const valid = encodeEncryptionContext({ a: '1', b: '2' });

  it.each([
    ['empty input', new Uint8Array(0), 'Encoded context is truncated.'],
    ['a truncated field', valid.subarray(0, valid.length - 1), 'Encoded context is truncated.'],
    ['trailing bytes', Uint8Array.from([...valid, 0]), 'Encoded context has trailing bytes.'],
    [
      'invalid UTF-8',
      Uint8Array.from([0, 1, 0, 1, 0xff, 0, 1, 0x61]),
      'Encoded context is not valid UTF-8.',
    ],
    [
      'unsorted keys',
      Uint8Array.from([0, 2, 0, 1, 0x62, 0, 1, 0x31, 0, 1, 0x61, 0, 1, 0x32]),
      'Encoded context keys are not in canonical order.',
    ],
    [
      'duplicate keys',
      Uint8Array.from([0, 2, 0, 1, 0x61, 0, 1, 0x31, 0, 1, 0x61, 0, 1, 0x32]),
      'Encoded context keys are not in canonical order.',
    ],
    ['zero entries', Uint8Array.from([0, 0]), 'Encryption context must have at least one entry.'],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => decodeEncryptionContext(bytes)).toThrow(
      new InvalidEncryptionContextError(message),
    );
  });

  it('parses or rejects any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let context: EncryptionContext | undefined;
        try {
          context = decodeEncryptionContext(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEncryptionContextError);
          return;
        }
        expect(encodeEncryptionContext(context)).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('compareBytes', () => {
  it('orders by unsigned bytes, then length', () => {
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(0xff))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1))).toBeGreaterThan(0);
    expect(compareBytes(Uint8Array.of(3), Uint8Array.of(3))).toBe(0);
  });
});

describe('context keys named like Object.prototype members', () => {
  it('keeps "__proto__" as a plain entry', () => {
    const context = JSON.parse('{"__proto__": "x", "ewi": "w"}') as Record<string, string>;

    const decoded = decodeEncryptionContext(
      encodeEncryptionContext(validateEncryptionContext(context)),
    );

    expect(Object.keys(decoded)).toEqual(['__proto__', 'ewi']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });
});
