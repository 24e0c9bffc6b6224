import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { encodeKeyVersionId, type Pkcs11KeyShareCipher } from '../src';
import { rotateKey } from '../src/key-admin';
import { connect, createTokenWithKey, importKey } from './token-fixture';

const KNOWN_KEY = randomBytes(32);
const CONTEXT = { ewi: 'wallet-interop' };

/** Runs opensc's `pkcs11-tool`, an independent PKCS#11 client. */
function generateWithPkcs11Tool(args: string[]): void {
  try {
    execFileSync('pkcs11-tool', args, { stdio: 'pipe', env: { ...process.env } });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('pkcs11-tool is required: apt-get install -y opensc', { cause: error });
    }

    // The caught error's message repeats the command line with the PIN, so only stderr is kept.
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    // eslint-disable-next-line preserve-caught-error -- the caught error holds the PIN
    throw new Error(`pkcs11-tool --keygen failed: ${stderr}`);
  }
}

/** Encodes a one-entry context canonically, written out from the documented layout. */
function encodeOneEntryContext(key: string, value: string): Buffer {
  const field = (text: string): Buffer => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);

    return Buffer.concat([length, bytes]);
  };

  return Buffer.concat([Buffer.from([0, 1]), field(key), field(value)]);
}

/** Splits a ciphertext by the layout in the README, without this project's parser. */
function splitByLayout(ciphertext: Buffer): {
  header: Buffer;
  version: number;
  iv: Buffer;
  body: Buffer;
  label: string;
} {
  expect(ciphertext.subarray(0, 4).toString('latin1')).toBe('SKMS');
  expect([ciphertext[4], ciphertext[5], ciphertext[6]]).toEqual([1, 2, 1]);

  const labelLength = ciphertext[7]!;
  const label = ciphertext.subarray(8, 8 + labelLength).toString('utf8');
  const version = ciphertext.readUInt32BE(8 + labelLength);
  const ivLength = ciphertext[12 + labelLength]!;
  const headerEnd = 13 + labelLength + ivLength;
  const headerIv = ciphertext.subarray(13 + labelLength, headerEnd);
  const ivFollows = headerIv.every((byte) => byte === 0);

  return {
    header: ciphertext.subarray(0, headerEnd),
    label,
    version,
    iv: ivFollows ? ciphertext.subarray(headerEnd, headerEnd + 12) : headerIv,
    body: ivFollows ? ciphertext.subarray(headerEnd + 12) : ciphertext.subarray(headerEnd),
  };
}

describe('PKCS#11 ciphertext layout', () => {
  const fixture = createTokenWithKey('generated');
  let imported: Pkcs11KeyShareCipher;

  beforeAll(async () => {
    importKey(fixture, 'imported', KNOWN_KEY);
    generateWithPkcs11Tool([
      '--module',
      fixture.token.libraryPath,
      '--token-label',
      fixture.token.label,
      '--login',
      '--pin',
      fixture.token.userPin,
      '--keygen',
      '--key-type',
      'AES:32',
      '--label',
      'from-pkcs11-tool',
      '--id',
      '00000001',
    ]);

    imported = await connect(fixture, { keyLabel: 'imported' });
  });

  afterAll(async () => {
    await imported.close();
  });

  it('decrypts with node:crypto from the documented layout', async () => {
    const ciphertext = Buffer.from(await imported.encrypt(Buffer.from('share bytes'), CONTEXT));
    const parts = splitByLayout(ciphertext);

    const decipher = createDecipheriv('aes-256-gcm', KNOWN_KEY, parts.iv);
    decipher.setAAD(Buffer.concat([parts.header, encodeOneEntryContext('ewi', CONTEXT.ewi)]));
    decipher.setAuthTag(parts.body.subarray(parts.body.length - 16));
    const plaintext = Buffer.concat([
      decipher.update(parts.body.subarray(0, parts.body.length - 16)),
      decipher.final(),
    ]);

    expect(plaintext.toString()).toBe('share bytes');
    expect(parts.label).toBe('imported');
    expect(parts.version).toBe(1);
  });

  it('decrypts across call modes: the mode changes where calls run, not the bytes', async () => {
    const synchronous = await connect(fixture, { keyLabel: 'imported', callMode: 'sync' });
    try {
      const fromSync = await synchronous.encrypt(Buffer.from('sync share'), CONTEXT);
      const fromAsync = await imported.encrypt(Buffer.from('async share'), CONTEXT);

      expect(Buffer.from(await imported.decrypt(fromSync, CONTEXT)).toString()).toBe('sync share');
      expect(Buffer.from(await synchronous.decrypt(fromAsync, CONTEXT)).toString()).toBe(
        'async share',
      );
      expect(splitByLayout(Buffer.from(fromSync)).header).toHaveLength(
        splitByLayout(Buffer.from(fromAsync)).header.length,
      );
    } finally {
      await synchronous.close();
    }
  });

  it('decrypts what node:crypto made in the documented layout', async () => {
    const iv = randomBytes(12);
    const label = Buffer.from('imported');
    const header = Buffer.concat([
      Buffer.from('SKMS', 'latin1'),
      Buffer.from([1, 2, 1, label.length]),
      label,
      encodeKeyVersionId(1),
      Buffer.from([12]),
      iv,
    ]);
    const cipher = createCipheriv('aes-256-gcm', KNOWN_KEY, iv);
    cipher.setAAD(Buffer.concat([header, encodeOneEntryContext('ewi', CONTEXT.ewi)]));
    const body = Buffer.concat([
      cipher.update('made elsewhere'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);

    const plaintext = await imported.decrypt(Buffer.concat([header, body]), CONTEXT);

    expect(Buffer.from(plaintext).toString()).toBe('made elsewhere');
  });

  it('uses a key made by pkcs11-tool by its label', async () => {
    const cipher = await connect(fixture, { keyLabel: 'from-pkcs11-tool' });
    try {
      const ciphertext = await cipher.encrypt(Buffer.from('tool key'), CONTEXT);

      expect(Buffer.from(await cipher.decrypt(ciphertext, CONTEXT)).toString()).toBe('tool key');
      expect(splitByLayout(Buffer.from(ciphertext)).label).toBe('from-pkcs11-tool');
    } finally {
      await cipher.close();
    }
  });

  it('encrypts with the newest version after rotation and decrypts older ones', async () => {
    const before = await connect(fixture);
    const oldCiphertext = await before.encrypt(Buffer.from('old share'), CONTEXT);

    const admin = fixture.admin();
    expect(rotateKey(admin, fixture.keyLabel)).toBe(2);
    admin.close();

    const after = await connect(fixture);
    try {
      const newCiphertext = await after.encrypt(Buffer.from('new share'), CONTEXT);

      expect(splitByLayout(Buffer.from(oldCiphertext)).version).toBe(1);
      expect(splitByLayout(Buffer.from(newCiphertext)).version).toBe(2);
      expect(Buffer.from(await after.decrypt(oldCiphertext, CONTEXT)).toString()).toBe('old share');
      // The provider connected before the rotation finds version 2 when a ciphertext names it.
      expect(Buffer.from(await before.decrypt(newCiphertext, CONTEXT)).toString()).toBe(
        'new share',
      );
    } finally {
      await before.close();
      await after.close();
    }
  });
});
