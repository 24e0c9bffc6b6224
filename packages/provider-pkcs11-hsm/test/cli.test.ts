import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import * as pkcs11js from 'pkcs11js';

import { encodeKeyVersionId } from '../src';
import { createTokenWithKey } from './token-fixture';

const CLI = join(__dirname, '..', 'src', 'cli.ts');
const TSX = require.resolve('tsx/cli');
const fixture = createTokenWithKey('existing');

/** Runs `split-kms-hsm` in a child process, as an operator would, with PKCS11_* variables. */
function runCli(
  args: string[],
  overrides: Record<string, string> = {},
): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [TSX, CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      PKCS11_LIBRARY: fixture.token.libraryPath,
      PKCS11_TOKEN_LABEL: fixture.token.label,
      PKCS11_PIN: fixture.token.userPin,
      PKCS11_KEY_LABEL: 'cli-key',
      ...overrides,
    },
  });

  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('split-kms-hsm', () => {
  it('creates, rotates, lists and checks a key', () => {
    expect(runCli(['create'])).toMatchObject({
      code: 0,
      out: 'Created key "cli-key" version 1.\n',
    });
    expect(runCli(['rotate']).out).toBe(
      'Created key "cli-key" version 2; new ciphertexts use it.\n',
    );

    const listed = runCli(['list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('cli-key\t00000001\t1\tyes\tyes\tyes\n');
    expect(listed.out).toContain('cli-key\t00000002\t2\tyes\tyes\tyes\n');
    expect(listed.out).toContain('existing\t00000001\t1\tyes\tyes\tyes\n');

    const checked = runCli(['check']);
    expect(checked.code).toBe(0);
    expect(checked.out).toMatch(/OK: encrypt\/decrypt round trip with ivMode "caller"/u);
  }, 120_000);

  it('creates a non-extractable, sensitive key', () => {
    runCli(['create'], { PKCS11_KEY_LABEL: 'attributes' });

    const admin = fixture.admin();
    const library = admin.library as pkcs11js.PKCS11;
    try {
      library.C_FindObjectsInit(admin.session, [{ type: pkcs11js.CKA_LABEL, value: 'attributes' }]);
      const [key] = library.C_FindObjects(admin.session, 2);
      library.C_FindObjectsFinal(admin.session);
      const attributes = library.C_GetAttributeValue(admin.session, key!, [
        { type: pkcs11js.CKA_TOKEN },
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_EXTRACTABLE },
        { type: pkcs11js.CKA_ENCRYPT },
        { type: pkcs11js.CKA_DECRYPT },
        { type: pkcs11js.CKA_WRAP },
        { type: pkcs11js.CKA_SIGN },
        { type: pkcs11js.CKA_ID },
      ]);

      expect(attributes.map((attribute) => attribute.value[0])).toEqual([1, 1, 0, 1, 1, 0, 0, 0]);
      expect(attributes[7]!.value).toEqual(encodeKeyVersionId(1));
    } finally {
      admin.close();
    }
  }, 60_000);

  it('refuses to create a key that exists', () => {
    const result = runCli(['create'], { PKCS11_KEY_LABEL: 'existing' });

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/Key "existing" already exists \(newest version 1\)/u);
  }, 60_000);

  it.each([
    ['a wrong PIN', { PKCS11_PIN: 'not-the-pin' }, /Login failed \(wrong PIN or locked user\)/u],
    [
      'a missing token',
      { PKCS11_TOKEN_LABEL: 'absent-token' },
      /No token labelled "absent-token" was found/u,
    ],
    [
      'a missing key',
      { PKCS11_KEY_LABEL: 'absent-key' },
      /The key is missing\. No secret key labelled "absent-key"/u,
    ],
    [
      'a missing library',
      { PKCS11_LIBRARY: '/opt/vendor/libmissing.so' },
      /PKCS#11 library not found at \/opt\/vendor\/libmissing\.so/u,
    ],
  ])(
    'check explains %s',
    (_case, overrides, message) => {
      const result = runCli(['check'], overrides);

      expect(result.code).toBe(1);
      expect(result.err).toMatch(message);
      expect(result.err).not.toContain(fixture.token.userPin);
    },
    60_000,
  );

  it('check explains a key that may not encrypt', () => {
    const admin = fixture.admin();
    const library = admin.library as pkcs11js.PKCS11;
    library.C_GenerateKey(admin.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_LABEL, value: 'no-encrypt' },
      { type: pkcs11js.CKA_ID, value: encodeKeyVersionId(1) },
      { type: pkcs11js.CKA_ENCRYPT, value: false },
      { type: pkcs11js.CKA_DECRYPT, value: true },
    ]);
    admin.close();

    const result = runCli(['check'], { PKCS11_KEY_LABEL: 'no-encrypt' });

    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /cannot be used for AES-GCM encryption\. HSM key "no-encrypt" version 1 is not allowed to encrypt/u,
    );
  }, 60_000);

  it('rejects missing settings and unknown commands', () => {
    expect(runCli(['check'], { PKCS11_PIN: '' })).toMatchObject({
      code: 2,
      err: 'Missing settings: --pin or PKCS11_PIN.\n',
    });
    expect(runCli(['destroy']).code).toBe(2);
    expect(runCli(['help']).out).toMatch(/^Usage: split-kms-hsm <command>/u);
  }, 60_000);
});
