import { isKeyShareCipherError, type HealthStatus } from '@split-kms/core';

import type { Pkcs11Connection } from './connection';

/**
 * Logs in if needed, opens a session, finds the key's newest version and
 * checks that it may encrypt. Never throws: every failure becomes an
 * unhealthy status whose detail names the problem without secrets.
 */
export async function checkHealth(
  connection: Pkcs11Connection,
  provider: string,
  keyLabel: string,
): Promise<HealthStatus> {
  try {
    const keys = await connection.refreshKeys();

    return {
      healthy: true,
      provider,
      detail: `HSM key "${keyLabel}" version ${keys.newest.version} is present and may encrypt.`,
    };
  } catch (error) {
    const message = isKeyShareCipherError(error)
      ? error.message
      : 'The HSM health check failed unexpectedly.';

    return { healthy: false, provider, detail: message };
  }
}
