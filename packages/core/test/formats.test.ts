import { detectCiphertextFormat, HEADER_MAGIC, isEncryptionSdkMessage } from '../src';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('detectCiphertextFormat', () => {
  it.each([
    ['a Split KMS header', bytes(...HEADER_MAGIC, 1, 1), 'split-kms'],
    ['an unknown header version', bytes(...HEADER_MAGIC, 9, 1), 'legacy'],
    [
      'an Encryption SDK v2 message without signature',
      bytes(0x02, 0x04, 0x78, 0),
      'aws-encryption-sdk',
    ],
    [
      'an Encryption SDK v2 message with signature',
      bytes(0x02, 0x05, 0x78, 0),
      'aws-encryption-sdk',
    ],
    ['an Encryption SDK v1 message', bytes(0x01, 0x80, 0x03, 0x78), 'aws-encryption-sdk'],
    ['an AWS KMS blob', bytes(0x01, 0x02, 0x02, 0x00, 0x78), 'legacy'],
    ['a non-committing v2 suite id', bytes(0x02, 0x01, 0x78), 'legacy'],
    [
      'a moto blob (ASCII key id)',
      Uint8Array.from(Buffer.from('6c3f0bb3-8e6b-4a0e-9f5c-000000000000')),
      'legacy',
    ],
    ['two bytes', bytes(0x02, 0x04), 'legacy'],
    ['nothing', bytes(), 'legacy'],
  ])('names %s', (_name, input, format) => {
    expect(detectCiphertextFormat(input)).toBe(format);
  });
});

describe('isEncryptionSdkMessage', () => {
  it('rejects other first bytes', () => {
    expect(isEncryptionSdkMessage(bytes(0x03, 0x04, 0x78))).toBe(false);
  });
});
