import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KMS } from '@aws-sdk/client-kms';
import type { Environment } from '@split-kms/api-lambda';
import { createKey, openAdminSession } from '@split-kms/provider-pkcs11-hsm';
import { startMoto, type MotoServer } from '@split-kms/testing/moto';
import { createSoftHsmToken, type SoftHsmToken } from '@split-kms/testing/softhsm';

/** The provider set-ups that the suites run against. */
export type ProviderKind =
  'software' | 'pkcs11' | 'pkcs11-in-process' | 'aws-kms-direct' | 'aws-kms-envelope';

/** A real key service prepared for one provider, and the environment that selects it. */
export interface ProviderFixture {
  readonly kind: ProviderKind;
  /** Variables that select and configure the provider. */
  readonly env: Environment;
  /** Secret values of the key service (PIN, key material) that no log line may contain. */
  readonly secrets: readonly string[];
  /** The moto server behind the AWS KMS provider. */
  readonly moto?: MotoServer;
  /** The SoftHSM2 token behind the PKCS#11 provider. */
  readonly token?: SoftHsmToken;
  readonly directory: string;
  close(): Promise<void>;
}

const HSM_KEY_LABEL = 'reliability-shares';

/** Settings of the `pkcs11-in-process` kind, for a library that computes in the server's process. */
export const IN_PROCESS_HSM_SETTINGS: Environment = {
  PKCS11_CALL_MODE: 'sync',
  PKCS11_SESSION_KEY_COPIES: 'true',
};

/**
 * Prepares a provider against its real component: a software key file,
 * a fresh SoftHSM2 token with an AES key, or a moto KMS server with a key.
 * Create the PKCS#11 fixture before connecting any provider in the process,
 * because a new SoftHSM2 token finalizes the library.
 */
export async function startProviderFixture(kind: ProviderKind): Promise<ProviderFixture> {
  const directory = await mkdtemp(join(tmpdir(), 'split-kms-reliability-'));
  const removeDirectory = async (): Promise<void> =>
    rm(directory, { recursive: true, force: true });

  switch (kind) {
    case 'software':
      return softwareFixture(directory, removeDirectory);
    case 'pkcs11':
      return pkcs11Fixture(kind, directory, removeDirectory);
    case 'pkcs11-in-process':
      return pkcs11Fixture(kind, directory, removeDirectory);
    case 'aws-kms-direct':
      return awsKmsFixture(kind, 'direct', directory, removeDirectory);
    case 'aws-kms-envelope':
      return awsKmsFixture(kind, 'envelope', directory, removeDirectory);
  }
}

/**
 * Reads the key material of a software key file: each version's `key`. Other
 * fields are not secret, and `createdAt` can equal a log line's timestamp.
 */
export async function softwareKeySecrets(keyFile: string): Promise<string[]> {
  const parsed = JSON.parse(await readFile(keyFile, 'utf8')) as {
    keys?: readonly { key?: unknown }[];
  };
  const keys = (parsed.keys ?? []).map((version) => version.key);

  // Postcondition: a key file without key strings would make every leak check pass.
  if (keys.length === 0 || !keys.every((key) => typeof key === 'string' && key.length >= 16)) {
    throw new Error(`The software key file ${keyFile} has no key material in the expected layout.`);
  }

  return keys as string[];
}

function softwareFixture(directory: string, close: () => Promise<void>): ProviderFixture {
  return {
    kind: 'software',
    env: { KEY_SHARE_CIPHER: 'software', SOFTWARE_KEY_FILE: join(directory, 'keys.json') },
    secrets: [],
    directory,
    close,
  };
}

/** Creates a SoftHSM2 token with a key; `pkcs11-in-process` adds `IN_PROCESS_HSM_SETTINGS`. */
function pkcs11Fixture(
  kind: 'pkcs11' | 'pkcs11-in-process',
  directory: string,
  close: () => Promise<void>,
): ProviderFixture {
  const token = createSoftHsmToken({ userPin: `pin-sentinel-${process.pid}-${Date.now()}` });
  const admin = openAdminSession({
    libraryPath: token.libraryPath,
    tokenLabel: token.label,
    pin: token.userPin,
    keyLabel: HSM_KEY_LABEL,
  });
  createKey(admin, HSM_KEY_LABEL);
  admin.close();

  return {
    kind,
    env: {
      KEY_SHARE_CIPHER: 'pkcs11',
      PKCS11_LIBRARY: token.libraryPath,
      PKCS11_TOKEN_LABEL: token.label,
      PKCS11_PIN: token.userPin,
      PKCS11_KEY_LABEL: HSM_KEY_LABEL,
      PKCS11_POOL_SIZE: '4',
      ...(kind === 'pkcs11-in-process' ? IN_PROCESS_HSM_SETTINGS : {}),
    },
    secrets: [token.userPin, token.soPin],
    token,
    directory,
    close,
  };
}

async function awsKmsFixture(
  kind: ProviderKind,
  mode: 'direct' | 'envelope',
  directory: string,
  removeDirectory: () => Promise<void>,
): Promise<ProviderFixture> {
  const moto = await startMoto();
  const admin = new KMS({ endpoint: moto.endpoint, region: moto.region });
  const { KeyMetadata } = await admin.createKey({
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
  });
  admin.destroy();

  return {
    kind,
    env: {
      KEY_SHARE_CIPHER: 'aws-kms',
      DKMS_KMS_KEY_ID: KeyMetadata!.Arn!,
      AWS_REGION: moto.region,
      AWS_ENDPOINT_URL_KMS: moto.endpoint,
      KMS_MODE: mode,
      KMS_MAX_ATTEMPTS: '1',
    },
    secrets: [],
    moto,
    directory,
    close: async () => {
      await moto.close();
      await removeDirectory();
    },
  };
}
