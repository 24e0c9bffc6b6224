import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { AES_256_KEY_BYTES } from '@split-kms/core';

/** One AES-256 key version, held as a `KeyObject` so its bytes stay out of logs. */
export interface SoftwareKey {
  readonly label: string;
  readonly version: number;
  readonly key: KeyObject;
}

/** The JSON layout of a local key file. */
interface KeyFileContents {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly label: string;
  readonly keys: readonly {
    readonly version: number;
    readonly key: string;
    readonly createdAt: string;
  }[];
}

const KEY_FILE_FORMAT = 'split-kms-software-keys-v1';

/** Default label of a newly created key file. */
export const DEFAULT_SOFTWARE_KEY_LABEL = 'local-development';

/** Printed at start-up whenever the software provider is in use. */
export const DEVELOPMENT_ONLY_WARNING =
  'DEVELOPMENT ONLY: the software provider keeps its AES key in a local file on this machine. ' +
  'Anyone who can read that file can decrypt every share. Use the AWS KMS or PKCS#11 provider in production.';

/** Reads a key file, or creates one with a fresh key (mode 0600) when it does not exist. */
export async function loadOrCreateKeyFile(
  path: string,
): Promise<{ readonly keys: readonly SoftwareKey[]; readonly created: boolean }> {
  try {
    return { keys: parseKeyFile(await readFile(path, 'utf8'), path), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }

  const contents: KeyFileContents = {
    format: KEY_FILE_FORMAT,
    label: DEFAULT_SOFTWARE_KEY_LABEL,
    keys: [newKeyEntry(1)],
  };
  await writeKeyFile(path, contents);

  return { keys: toSoftwareKeys(contents), created: true };
}

/** Adds a new key version to a key file; the new version encrypts from then on. */
export async function rotateKeyFile(path: string): Promise<number> {
  const contents = JSON.parse(await readFile(path, 'utf8')) as KeyFileContents;
  parseKeyFile(JSON.stringify(contents), path);

  const version = Math.max(...contents.keys.map((entry) => entry.version)) + 1;
  await writeKeyFile(path, { ...contents, keys: [...contents.keys, newKeyEntry(version)] });

  return version;
}

function parseKeyFile(text: string, path: string): SoftwareKey[] {
  let contents: KeyFileContents;
  try {
    contents = JSON.parse(text) as KeyFileContents;
  } catch (error) {
    throw new Error(`Key file ${path} is not valid JSON. Delete it to create a new key.`, {
      cause: error,
    });
  }

  const valid =
    contents?.format === KEY_FILE_FORMAT &&
    typeof contents.label === 'string' &&
    contents.label.length > 0 &&
    Array.isArray(contents.keys) &&
    contents.keys.length > 0 &&
    contents.keys.every(isValidEntry);
  if (!valid) {
    throw new Error(
      `Key file ${path} is not a ${KEY_FILE_FORMAT} file. Delete it to create a new key.`,
    );
  }

  return toSoftwareKeys(contents);
}

function isValidEntry(entry: unknown): boolean {
  const candidate = entry as { version?: unknown; key?: unknown };

  return (
    Number.isInteger(candidate?.version) &&
    (candidate.version as number) >= 1 &&
    typeof candidate.key === 'string' &&
    Buffer.from(candidate.key, 'base64').length === AES_256_KEY_BYTES
  );
}

function toSoftwareKeys(contents: KeyFileContents): SoftwareKey[] {
  return contents.keys.map((entry) => ({
    label: contents.label,
    version: entry.version,
    key: createSecretKey(Buffer.from(entry.key, 'base64')),
  }));
}

function newKeyEntry(version: number): KeyFileContents['keys'][number] {
  return {
    version,
    key: randomBytes(AES_256_KEY_BYTES).toString('base64'),
    createdAt: new Date().toISOString(),
  };
}

async function writeKeyFile(path: string, contents: KeyFileContents): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });

  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** Builds a software key from raw bytes, for tests and embedding. */
export function softwareKeyFromBytes(
  label: string,
  version: number,
  bytes: Uint8Array,
): SoftwareKey {
  if (bytes.length !== AES_256_KEY_BYTES) {
    throw new TypeError(`"bytes" must be ${AES_256_KEY_BYTES} bytes for AES-256.`);
  }

  return { label, version, key: createSecretKey(bytes) };
}
