import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isKeyShareCipherError, parseCiphertext } from '@split-kms/core';

import {
  DEFAULT_SOFTWARE_KEY_LABEL,
  loadOrCreateKeyFile,
  rotateKeyFile,
  SoftwareKeyShareCipher,
  softwareKeyFromBytes,
} from '../src';

const CONTEXT = { ewi: 'wallet-1' };
const share = new TextEncoder().encode('device share');

describe('loadOrCreateKeyFile', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'split-kms-keys-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('creates a private key file on first run', async () => {
    const path = join(directory, 'nested', 'dev-keys.json');

    const { keys, created } = await loadOrCreateKeyFile(path);

    expect(created).toBe(true);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ label: DEFAULT_SOFTWARE_KEY_LABEL, version: 1 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('reloads the same key', async () => {
    const path = join(directory, 'dev-keys.json');
    const first = new SoftwareKeyShareCipher({ keys: (await loadOrCreateKeyFile(path)).keys });
    const ciphertext = await first.encrypt(share, CONTEXT);

    const reloaded = await loadOrCreateKeyFile(path);
    const second = new SoftwareKeyShareCipher({ keys: reloaded.keys });

    expect(reloaded.created).toBe(false);
    expect(await second.decrypt(ciphertext, CONTEXT)).toEqual(share);
  });

  it('rotates to a new version that encrypts', async () => {
    const path = join(directory, 'dev-keys.json');
    const before = new SoftwareKeyShareCipher({ keys: (await loadOrCreateKeyFile(path)).keys });
    const old = await before.encrypt(share, CONTEXT);

    const version = await rotateKeyFile(path);
    const after = new SoftwareKeyShareCipher({ keys: (await loadOrCreateKeyFile(path)).keys });
    const fresh = await after.encrypt(share, CONTEXT);

    expect(version).toBe(2);
    expect(after.currentKey).toEqual({ label: DEFAULT_SOFTWARE_KEY_LABEL, version: 2 });
    expect(parseCiphertext(fresh).header.keyVersion).toBe(2);
    expect(await after.decrypt(old, CONTEXT)).toEqual(share);
  });

  it('rejects a file that is not JSON', async () => {
    const path = join(directory, 'dev-keys.json');
    await writeFile(path, 'not json');

    await expect(loadOrCreateKeyFile(path)).rejects.toThrow(
      `Key file ${path} is not valid JSON. Delete it to create a new key.`,
    );
  });

  it('rejects a file of another format', async () => {
    const path = join(directory, 'dev-keys.json');
    await writeFile(
      path,
      JSON.stringify({
        format: 'split-kms-software-keys-v1',
        label: 'x',
        keys: [{ version: 1, key: 'c2hvcnQ=' }],
      }),
    );

    await expect(loadOrCreateKeyFile(path)).rejects.toThrow(
      `Key file ${path} is not a split-kms-software-keys-v1 file. Delete it to create a new key.`,
    );
  });

  it('never writes the key to anything but the file', async () => {
    const path = join(directory, 'dev-keys.json');
    const { keys } = await loadOrCreateKeyFile(path);
    const stored = JSON.parse(await readFile(path, 'utf8')) as { keys: { key: string }[] };

    expect(JSON.stringify(keys)).not.toContain(stored.keys[0]!.key);
  });
});

describe('SoftwareKeyShareCipher', () => {
  it('rejects a ciphertext naming an unknown version', async () => {
    const key = randomBytes(32);
    const newer = new SoftwareKeyShareCipher({
      keys: [softwareKeyFromBytes('k', 1, key), softwareKeyFromBytes('k', 2, randomBytes(32))],
    });
    const older = new SoftwareKeyShareCipher({ keys: [softwareKeyFromBytes('k', 1, key)] });
    const ciphertext = await newer.encrypt(share, CONTEXT);

    const error = await older.decrypt(ciphertext, CONTEXT).catch((caught: unknown) => caught);

    expect(isKeyShareCipherError(error)).toBe(true);

    expect((error as { code?: unknown }).code).toBe('DECRYPTION_FAILED');
  });

  it.each([
    ['no keys', { keys: [] }, '"keys" option must contain at least one key.'],
    [
      'two labels',
      {
        keys: [
          softwareKeyFromBytes('a', 1, randomBytes(32)),
          softwareKeyFromBytes('b', 1, randomBytes(32)),
        ],
      },
      '"keys" option must hold versions of a single label.',
    ],
    [
      'a repeated version',
      {
        keys: [
          softwareKeyFromBytes('a', 1, randomBytes(32)),
          softwareKeyFromBytes('a', 1, randomBytes(32)),
        ],
      },
      '"keys" option must not repeat a version.',
    ],
  ])('rejects %s', (_name, options, message) => {
    expect(() => new SoftwareKeyShareCipher(options)).toThrow(new TypeError(message));
  });

  it('rejects a key of the wrong size', () => {
    expect(() => softwareKeyFromBytes('a', 1, randomBytes(16))).toThrow(
      new TypeError('"bytes" must be 32 bytes for AES-256.'),
    );
  });

  it('reports itself healthy as development only', async () => {
    const cipher = new SoftwareKeyShareCipher({
      keys: [softwareKeyFromBytes('a', 3, randomBytes(32))],
    });

    expect(await cipher.checkHealth()).toEqual({
      healthy: true,
      provider: 'software',
      detail: 'In-process key "a" version 3 (development only).',
    });
  });
});
