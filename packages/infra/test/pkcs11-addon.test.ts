import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

import {
  assertLinuxX64Addon,
  locatePkcs11js,
  pkcs11AddonCommandHooks,
} from '../src/constructs/pkcs11-addon';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'split-kms-addon-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('pkcs11js addon check', () => {
  it('accepts the installed Linux x86-64 build', () => {
    const folder = locatePkcs11js();

    expect(fs.existsSync(path.join(folder, 'build', 'Release', 'pkcs11.node'))).toBe(true);
  });

  it('rejects a file that is not ELF', () => {
    const fake = path.join(scratch, 'mach-o.node');
    fs.writeFileSync(fake, Buffer.from([0xcf, 0xfa, 0xed, 0xfe, ...new Array<number>(16).fill(0)]));

    expect(() => assertLinuxX64Addon(fake)).toThrow(/is not a Linux x86-64 build/);
  });

  it('rejects an arm64 ELF file', () => {
    const header = Buffer.alloc(20);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]).copy(header);
    header.writeUInt16LE(0xb7, 18);
    const arm64 = path.join(scratch, 'arm64.node');
    fs.writeFileSync(arm64, header);

    expect(() => assertLinuxX64Addon(arm64)).toThrow(/is not a Linux x86-64 build/);
  });

  it('rejects a missing addon', () => {
    expect(() => assertLinuxX64Addon(path.join(scratch, 'absent.node'))).toThrow(
      /addon is missing/,
    );
  });

  it('copies the addon after bundling', () => {
    const commands = pkcs11AddonCommandHooks().afterBundling('/input', '/output dir');

    expect(commands).toHaveLength(4);
    expect(commands.join('\n')).toContain(
      `'/output dir/node_modules/pkcs11js/build/Release/pkcs11.node'`,
    );
  });
});
