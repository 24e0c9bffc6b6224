import {
  DecryptionFailedError,
  isKeyShareCipherError,
  KeyShareCipherError,
  PlaintextTooLargeError,
  ProviderThrottledError,
  ProviderUnavailableError,
} from '../src';

describe('KeyShareCipherError', () => {
  it('keeps code, name and cause', () => {
    const cause = new Error('socket hang up');

    const error = new ProviderUnavailableError('KMS is unreachable.', { cause });

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.name).toBe('ProviderUnavailableError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(KeyShareCipherError);
  });

  it('omits an absent cause', () => {
    expect('cause' in new DecryptionFailedError()).toBe(false);
  });

  it('uses one message for every decryption failure', () => {
    expect(new DecryptionFailedError({ cause: new Error('tag mismatch') }).message).toBe(
      DecryptionFailedError.MESSAGE,
    );
  });

  it('carries limits and retry hints', () => {
    expect(new PlaintextTooLargeError(4096).maxBytes).toBe(4096);
    expect(new PlaintextTooLargeError(4096).message).toBe(
      'Plaintext is larger than the maximum of 4096 bytes.',
    );
    expect(new ProviderThrottledError('slow down', 2).retryAfterSeconds).toBe(2);
  });
});

describe('isKeyShareCipherError', () => {
  it('recognises typed errors only', () => {
    expect(isKeyShareCipherError(new DecryptionFailedError())).toBe(true);
    expect(isKeyShareCipherError(new Error('plain'))).toBe(false);
    expect(isKeyShareCipherError(null)).toBe(false);
    expect(isKeyShareCipherError('DECRYPTION_FAILED')).toBe(false);
  });

  it('recognises errors from another copy of the package', () => {
    // A second copy of the module has its own class objects but the same global symbol.
    jest.isolateModules(() => {
      const copy = jest.requireActual<typeof import('../src')>('../src');
      const foreign = new copy.DecryptionFailedError();

      expect(foreign).not.toBeInstanceOf(DecryptionFailedError);
      expect(isKeyShareCipherError(foreign)).toBe(true);
    });
  });
});
