import { jest } from '@jest/globals';

/**
 * Counts RSA signature checks from now on: node:crypto's `verify` (the
 * verifier's fast path) and WebCrypto's (jose). Restore with `jest.restoreAllMocks()`.
 */
export function countSignatureChecks(): () => number {
  const checks = spySignatureChecks();

  return () => checks.node() + checks.webCrypto();
}

/** Counts node:crypto's and WebCrypto's signature checks from now on, apart. */
export function spySignatureChecks(): { node: () => number; webCrypto: () => number } {
  // The module object itself, which the source's import reads `verify` from at each call.
  const nodeCrypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  const webCrypto = jest.spyOn(globalThis.crypto.subtle, 'verify');
  const node = jest.spyOn(nodeCrypto, 'verify');

  return { node: () => node.mock.calls.length, webCrypto: () => webCrypto.mock.calls.length };
}
