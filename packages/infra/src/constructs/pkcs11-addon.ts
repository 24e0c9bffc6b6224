import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

import { PKCS11_PROVIDER_DIR } from '../paths';

/** ELF `e_machine` value of x86-64, the architecture of the CloudHSM variant's function. */
const ELF_MACHINE_X86_64 = 0x3e;

/** Files of the pkcs11js package that its `require` needs at run time. */
const PKCS11JS_FILES = [
  'package.json',
  'index.js',
  'LICENSE',
  path.join('build', 'Release', 'pkcs11.node'),
];

/**
 * Copies the pkcs11js package, with its compiled addon, from this machine's
 * node_modules into the bundle.
 *
 * `bundling.nodeModules` would run `npm ci` in the bundle folder, which needs
 * the registry and a C++ toolchain with Node headers at every synth. The
 * installed addon uses Node-API, so one build serves Node 20 here and Node 22
 * on Lambda. It must be a Linux x86-64 build, which this check enforces, and
 * it needs glibc 2.34 at most (Amazon Linux 2023 ships 2.34).
 */
export function pkcs11AddonCommandHooks(): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => copyCommands(locatePkcs11js(), outputDir),
  };
}

/** Finds the installed pkcs11js folder and checks its addon. */
export function locatePkcs11js(): string {
  const packageJson = require.resolve('pkcs11js/package.json', { paths: [PKCS11_PROVIDER_DIR] });
  const folder = path.dirname(packageJson);
  assertLinuxX64Addon(path.join(folder, 'build', 'Release', 'pkcs11.node'));

  return folder;
}

/**
 * Precondition: the addon is a 64-bit little-endian ELF file for x86-64.
 * A macOS or arm64 build would load nowhere on the function.
 */
export function assertLinuxX64Addon(addonPath: string): void {
  const fix =
    'Synthesize the CloudHSM variant on Linux x86-64 after `npm ci`, so that pkcs11js is compiled for the function.';

  if (!fs.existsSync(addonPath)) {
    throw new Error(`The pkcs11js addon is missing at ${addonPath}. ${fix}`);
  }

  const header = Buffer.alloc(20);
  const descriptor = fs.openSync(addonPath, 'r');
  try {
    fs.readSync(descriptor, header, 0, header.length, 0);
  } finally {
    fs.closeSync(descriptor);
  }

  const isElf = header.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  const is64BitLittleEndian = header[4] === 2 && header[5] === 1;
  if (!isElf || !is64BitLittleEndian || header.readUInt16LE(18) !== ELF_MACHINE_X86_64) {
    throw new Error(`The pkcs11js addon at ${addonPath} is not a Linux x86-64 build. ${fix}`);
  }
}

function copyCommands(sourceDir: string, outputDir: string): string[] {
  const targetDir = path.join(outputDir, 'node_modules', 'pkcs11js');

  return PKCS11JS_FILES.map((file) => {
    const target = path.join(targetDir, file);

    return `mkdir -p ${quote(path.dirname(target))} && cp ${quote(path.join(sourceDir, file))} ${quote(target)}`;
  });
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
