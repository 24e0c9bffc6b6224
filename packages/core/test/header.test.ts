import fc from 'fast-check';

import {
  CiphertextAlgorithm,
  CiphertextProviderId,
  HEADER_MAGIC,
  hasSplitKmsHeader,
  isCiphertextOfProvider,
  MalformedCiphertextError,
  parseCiphertext,
  serializeHeader,
  type CiphertextHeader,
} from '../src';

const IV = Uint8Array.from({ length: 12 }, (_, index) => index);

const HEADER: CiphertextHeader = {
  providerId: CiphertextProviderId.PKCS11,
  algorithm: CiphertextAlgorithm.AES_256_GCM,
  keyLabel: 'shares',
  keyVersion: 3,
  iv: IV,
};

function withPayload(header: Uint8Array, payloadBytes = 17): Uint8Array {
  return Uint8Array.from([...header, ...new Uint8Array(payloadBytes).fill(0xaa)]);
}

describe('serializeHeader', () => {
  it('writes the documented layout', () => {
    const bytes = serializeHeader(HEADER);

    expect(Buffer.from(bytes).toString('hex')).toBe(
      '534b4d53' +
        '01' +
        '02' +
        '01' +
        '06' +
        Buffer.from('shares').toString('hex') +
        '00000003' +
        '0c' +
        '000102030405060708090a0b',
    );
  });

  it.each([
    ['provider id 0', { providerId: 0 }, '"providerId" must be an integer from 1 to 255.'],
    ['provider id 256', { providerId: 256 }, '"providerId" must be an integer from 1 to 255.'],
    ['an unknown algorithm', { algorithm: 9 }, '"algorithm" 9 is not supported.'],
    ['an empty label', { keyLabel: '' }, '"keyLabel" must be 1 to 255 UTF-8 bytes.'],
    ['a long label', { keyLabel: 'é'.repeat(128) }, '"keyLabel" must be 1 to 255 UTF-8 bytes.'],
    ['version 0', { keyVersion: 0 }, '"keyVersion" must be an integer from 1 to 4294967295.'],
    [
      'a fractional version',
      { keyVersion: 1.5 },
      '"keyVersion" must be an integer from 1 to 4294967295.',
    ],
    ['a short IV', { iv: new Uint8Array(8) }, '"iv" must be 12 bytes.'],
  ])('rejects %s', (_name, change, message) => {
    expect(() => serializeHeader({ ...HEADER, ...change })).toThrow(new TypeError(message));
  });
});

describe('parseCiphertext', () => {
  it('round trips a header', () => {
    const header = serializeHeader(HEADER);

    const parsed = parseCiphertext(withPayload(header));

    expect(parsed.header).toEqual(HEADER);
    expect(parsed.headerBytes).toEqual(header);
    expect(parsed.payload).toHaveLength(17);
  });

  const valid = withPayload(serializeHeader(HEADER));

  it.each([
    ['no magic', Uint8Array.of(1, 2, 2, 0), 'Ciphertext does not start with a Split KMS header.'],
    [
      'another version',
      Uint8Array.from([...HEADER_MAGIC, 2, 2, 1, 1]),
      'Ciphertext does not start with a Split KMS header.',
    ],
    ['a cut fixed prefix', valid.subarray(0, 7), 'Ciphertext header is truncated.'],
    [
      'an unknown algorithm',
      Uint8Array.from([...valid.subarray(0, 6), 7, ...valid.subarray(7)]),
      'Ciphertext names unsupported algorithm 7.',
    ],
    [
      'provider id 0',
      Uint8Array.from([...valid.subarray(0, 5), 0, ...valid.subarray(6)]),
      'Ciphertext header has an invalid provider or key label.',
    ],
    [
      'an empty label',
      Uint8Array.from([...valid.subarray(0, 7), 0, ...valid.subarray(8)]),
      'Ciphertext header has an invalid provider or key label.',
    ],
    ['a cut label', valid.subarray(0, 12), 'Ciphertext header is truncated.'],
    [
      'version 0',
      Uint8Array.from([...valid.subarray(0, 14), 0, 0, 0, 0, ...valid.subarray(18)]),
      'Ciphertext header has an invalid key version or IV length.',
    ],
    [
      'IV length 16',
      Uint8Array.from([...valid.subarray(0, 18), 16, ...valid.subarray(19)]),
      'Ciphertext header has an invalid key version or IV length.',
    ],
    ['no payload', valid.subarray(0, 31 + 16), 'Ciphertext is truncated.'],
    [
      'a label that is not UTF-8',
      Uint8Array.from([...valid.subarray(0, 8), 0xff, ...valid.subarray(9)]),
      'Ciphertext key label is not valid UTF-8.',
    ],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => parseCiphertext(bytes)).toThrow(new MalformedCiphertextError(message));
  });

  it('parses or rejects any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => expectParseOrTypedError(bytes)),
      { numRuns: 2000 },
    );
  });

  it('parses or rejects bytes after the magic (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (tail) =>
        expectParseOrTypedError(Uint8Array.from([...HEADER_MAGIC, 1, ...tail])),
      ),
      { numRuns: 5000 },
    );
  });

  it('round trips any valid header (property)', () => {
    const headerArbitrary = fc.record({
      providerId: fc.integer({ min: 1, max: 255 }),
      algorithm: fc.constant(CiphertextAlgorithm.AES_256_GCM),
      keyLabel: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
      keyVersion: fc.integer({ min: 1, max: 0xffffffff }),
      iv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    });

    fc.assert(
      fc.property(
        headerArbitrary,
        fc.uint8Array({ minLength: 17, maxLength: 64 }),
        (header, payload) => {
          const bytes = Uint8Array.from([...serializeHeader(header), ...payload]);

          const parsed = parseCiphertext(bytes);

          expect(parsed.header).toEqual(header);
          expect(parsed.payload).toEqual(payload);
        },
      ),
    );
  });
});

describe('hasSplitKmsHeader', () => {
  it('matches the magic and version only', () => {
    expect(hasSplitKmsHeader(Uint8Array.from([...HEADER_MAGIC, 1]))).toBe(true);
    expect(hasSplitKmsHeader(Uint8Array.from([...HEADER_MAGIC]))).toBe(false);
    expect(hasSplitKmsHeader(Uint8Array.from([...HEADER_MAGIC, 2]))).toBe(false);
    expect(hasSplitKmsHeader(Uint8Array.from([0x53, 0x4b, 0x4d, 0x54, 1]))).toBe(false);
  });

  it('tells providers apart', () => {
    const bytes = withPayload(serializeHeader(HEADER));

    expect(isCiphertextOfProvider(bytes, CiphertextProviderId.PKCS11)).toBe(true);
    expect(isCiphertextOfProvider(bytes, CiphertextProviderId.SOFTWARE)).toBe(false);
  });
});

function expectParseOrTypedError(bytes: Uint8Array): void {
  try {
    const parsed = parseCiphertext(bytes);
    expect(Uint8Array.from([...parsed.headerBytes, ...parsed.payload])).toEqual(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedCiphertextError);
  }
}
