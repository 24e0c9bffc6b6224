import {
  isKeyShareCipherError,
  KeyShareCipherRouter,
  type HealthStatus,
  type KeyShareCipher,
} from '../src';
import { AesGcmTestCipher } from './aes-gcm-test-cipher';

const CONTEXT = { ewi: 'wallet-1' };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

class UnhealthyCipher extends AesGcmTestCipher {
  override async checkHealth(): Promise<HealthStatus> {
    return { healthy: false, provider: this.name, detail: 'key disabled' };
  }
}

describe('KeyShareCipherRouter', () => {
  const primary = new AesGcmTestCipher('new-hsm', 201);
  const previous = new AesGcmTestCipher('old-kms', 202);
  const router = new KeyShareCipherRouter({ primary, decryptOnly: [previous] });

  it('encrypts with the primary', async () => {
    const ciphertext = await router.encrypt(bytes('share'), CONTEXT);

    expect(primary.recognizes(ciphertext)).toBe(true);
    expect(router.providerFor(ciphertext)).toBe(primary);
  });

  it('decrypts with the provider that recognises the ciphertext', async () => {
    const old = await previous.encrypt(bytes('old share'), CONTEXT);

    expect(router.providerFor(old)).toBe(previous);
    expect(new TextDecoder().decode(await router.decrypt(old, CONTEXT))).toBe('old share');
  });

  it('rejects a ciphertext nobody recognises', async () => {
    const error = await router
      .decrypt(Uint8Array.of(1, 2, 3), CONTEXT)
      .catch((caught: unknown) => caught);

    expect(isKeyShareCipherError(error)).toBe(true);

    expect((error as { code?: unknown }).code).toBe('UNRECOGNIZED_CIPHERTEXT');
    expect(router.recognizes(Uint8Array.of(1, 2, 3))).toBe(false);
  });

  it('rejects an empty ciphertext', async () => {
    const error = await router
      .decrypt(new Uint8Array(0), CONTEXT)
      .catch((caught: unknown) => caught);

    expect(isKeyShareCipherError(error)).toBe(true);

    expect((error as { code?: unknown }).code).toBe('MALFORMED_CIPHERTEXT');
  });

  it('takes name and limit from the primary', () => {
    expect(router.name).toBe('new-hsm');
    expect(router.maxPlaintextBytes).toBe(4096);
    expect(router.providers).toEqual([primary, previous]);
  });

  it('reports every provider healthy', async () => {
    const health = await router.checkHealth();

    expect(health.healthy).toBe(true);
    expect(health.components).toHaveLength(2);
  });

  it('reports an unhealthy provider by name', async () => {
    const broken = new KeyShareCipherRouter({
      primary,
      decryptOnly: [new UnhealthyCipher('legacy', 203)],
    });

    const health = await broken.checkHealth();

    expect(health.healthy).toBe(false);
    expect(health.detail).toBe('Unhealthy: legacy.');
  });

  it('reports a throwing health check as unhealthy', async () => {
    const throwing = Object.assign(new AesGcmTestCipher('broken', 204), {
      checkHealth: async (): Promise<HealthStatus> => Promise.reject(new TypeError('boom')),
    });
    const withThrowing = new KeyShareCipherRouter({ primary, decryptOnly: [throwing] });

    const health = await withThrowing.checkHealth();

    expect(health.healthy).toBe(false);
    expect(health.components?.[1]).toEqual({
      healthy: false,
      provider: 'broken',
      detail: 'The health check threw TypeError.',
    });
  });

  it('closes every provider and reports failures together', async () => {
    const closed: string[] = [];
    const closing = (name: string, fails: boolean): KeyShareCipher =>
      Object.assign(new AesGcmTestCipher(name, name.length), {
        close: async () => {
          closed.push(name);
          if (fails) {
            throw new Error(`${name} close failed`);
          }
        },
      });
    const withClose = new KeyShareCipherRouter({
      primary: closing('a', true),
      decryptOnly: [closing('bb', false)],
    });

    await expect(withClose.close()).rejects.toThrow(AggregateError);
    expect(closed).toEqual(['a', 'bb']);
  });

  it('rejects a missing primary', () => {
    expect(() => new KeyShareCipherRouter({} as never)).toThrow(
      new TypeError('"primary" option must be a KeyShareCipher.'),
    );
  });

  it('rejects a repeated provider', () => {
    expect(() => new KeyShareCipherRouter({ primary, decryptOnly: [primary] })).toThrow(
      new TypeError('"decryptOnly" option must not repeat a provider or the primary.'),
    );
  });
});
