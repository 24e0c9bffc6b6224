#!/usr/bin/env node
import { existsSync } from 'node:fs';

import { isKeyShareCipherError, type KeyShareCipherErrorCode } from '@split-kms/core';

import { parseCommandLine, USAGE } from './cli-options';
import { createKey, listKeys, openAdminSession, rotateKey, type AdminSession } from './key-admin';
import type { Pkcs11KeyShareCipherOptions } from './options';
import { Pkcs11KeyShareCipher } from './pkcs11-cipher';

/** Output streams of the CLI: standard output and standard error by default. */
export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const CHECK_CONTEXT = { ewi: 'split-kms-hsm-check' };

/** Plain-words explanations of a failed check, by error code. */
const CHECK_HINTS: Partial<Record<KeyShareCipherErrorCode, string>> = {
  PROVIDER_UNAVAILABLE: 'The library, token or slot could not be used',
  KEY_ACCESS_DENIED: 'Login failed (wrong PIN or locked user)',
  KEY_NOT_FOUND: 'The key is missing',
  KEY_UNUSABLE: 'The key cannot be used for AES-GCM encryption',
};

/** Runs one command and returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: CliOutput,
): Promise<number> {
  const parsed = parseCommandLine(argv, env);
  if (!parsed.ok) {
    output.err(parsed.error);

    return 2;
  }
  if (parsed.command === 'help') {
    output.out(USAGE);

    return 0;
  }

  // Precondition: the library file exists, so "not found" is never blamed on the token or PIN.
  if (!existsSync(parsed.options.libraryPath)) {
    output.err(
      `Problem: PKCS#11 library not found at ${parsed.options.libraryPath}. Check --library or PKCS11_LIBRARY.`,
    );

    return 1;
  }

  try {
    return parsed.command === 'check'
      ? await check(parsed.options, output)
      : manageKeys(parsed.command, parsed.options, output);
  } catch (error) {
    output.err(`Problem: ${describe(error)}`);

    return 1;
  }
}

function manageKeys(
  command: 'create' | 'rotate' | 'list',
  options: Pkcs11KeyShareCipherOptions,
  output: CliOutput,
): number {
  const admin = openAdminSession(options);
  try {
    runKeyCommand(command, admin, options.keyLabel, output);
  } finally {
    admin.close();
  }

  return 0;
}

function runKeyCommand(
  command: 'create' | 'rotate' | 'list',
  admin: AdminSession,
  label: string,
  output: CliOutput,
): void {
  if (command === 'create') {
    output.out(`Created key "${label}" version ${createKey(admin, label)}.`);

    return;
  }
  if (command === 'rotate') {
    output.out(
      `Created key "${label}" version ${rotateKey(admin, label)}; new ciphertexts use it.`,
    );

    return;
  }

  const keys = listKeys(admin);
  output.out('label\tCKA_ID\tversion\tAES-256\tencrypt\tdecrypt');
  for (const key of keys) {
    output.out(
      [
        key.label,
        key.id || '-',
        key.version ?? '-',
        yesNo(key.aes256),
        yesNo(key.canEncrypt),
        yesNo(key.canDecrypt),
      ].join('\t'),
    );
  }
  output.out(`${keys.length} secret key(s).`);
}

async function check(options: Pkcs11KeyShareCipherOptions, output: CliOutput): Promise<number> {
  const cipher = await Pkcs11KeyShareCipher.connect({ ...options, poolSize: 1 });
  try {
    output.out(`OK: logged in to the token and found key "${options.keyLabel}".`);

    const plaintext = new TextEncoder().encode('split-kms-hsm check');
    const ciphertext = await cipher.encrypt(plaintext, CHECK_CONTEXT);
    const decrypted = await cipher.decrypt(ciphertext, CHECK_CONTEXT);
    if (Buffer.compare(Buffer.from(decrypted), Buffer.from(plaintext)) !== 0) {
      output.err('Problem: the round trip returned different bytes.');

      return 1;
    }

    output.out(
      `OK: encrypt/decrypt round trip with ivMode "${cipher.settings.ivMode}" (${ciphertext.length} bytes).`,
    );

    return 0;
  } finally {
    await cipher.close();
  }
}

function describe(error: unknown): string {
  if (isKeyShareCipherError(error)) {
    const hint = CHECK_HINTS[error.code];

    return hint === undefined ? error.message : `${hint}. ${error.message}`;
  }

  return error instanceof Error ? error.message : String(error);
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

if (require.main === module) {
  runCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Problem: ${describe(error)}\n`);
      process.exitCode = 1;
    },
  );
}
