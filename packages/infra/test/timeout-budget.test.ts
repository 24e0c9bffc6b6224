import { describe, expect, it } from '@jest/globals';

import { computeFunctionTimeoutSeconds } from '../src/settings/timeout-budget';

describe('computeFunctionTimeoutSeconds', () => {
  const defaults = {
    jwksTimeoutMs: 3000,
    kmsRequestTimeoutMs: 2000,
    kmsMaxAttempts: 3,
    usesKms: true,
    usesHsm: false,
  };

  it('gives 13 s for the defaults', () => {
    // 3000 JWKS + 3 × 2000 KMS + (1000 + 2000) backoff + 1000 handler = 13000 ms.
    expect(computeFunctionTimeoutSeconds(defaults)).toBe(13);
  });

  it('adds no backoff for one attempt', () => {
    expect(computeFunctionTimeoutSeconds({ ...defaults, kmsMaxAttempts: 1 })).toBe(6);
  });

  it('counts the HSM instead of KMS', () => {
    // 3000 JWKS + 6000 start-up + 5000 session wait + 1000 HSM operation + 1000 handler = 16000 ms.
    expect(computeFunctionTimeoutSeconds({ ...defaults, usesKms: false, usesHsm: true })).toBe(16);
  });

  it('counts both for HSM with KMS decryption', () => {
    expect(computeFunctionTimeoutSeconds({ ...defaults, usesHsm: true })).toBe(25);
  });

  it('rounds up to whole seconds', () => {
    expect(computeFunctionTimeoutSeconds({ ...defaults, jwksTimeoutMs: 3001 })).toBe(14);
  });
});
