import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as pkcs11js from 'pkcs11js';

/**
 * SoftHSM2 for tests: a token directory per process, fresh tokens made with
 * `softhsm2-util`, and cleanup.
 *
 * SoftHSM2 reads `SOFTHSM2_CONF` once, when `C_Initialize` runs, and lists
 * only the tokens that exist at that moment. So every jest worker process gets
 * its own token directory, and `createSoftHsmToken` finalizes the library in
 * this process before it adds a token. Create every token a test file needs
 * before it connects a provider. Directories of processes that have ended are
 * removed when the next process creates its own.
 */

/** Path of the SoftHSM2 PKCS#11 library from Debian's `softhsm2` package. */
export const SOFTHSM2_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

const INSTALL_HINT = 'SoftHSM2 is required: apt-get install -y softhsm2';
const DIRECTORY_PREFIX = 'split-kms-softhsm-';

/** A token made for one test run. */
export interface SoftHsmToken {
  readonly libraryPath: string;
  readonly label: string;
  /** The normal user's PIN. */
  readonly userPin: string;
  /** The security officer's PIN. */
  readonly soPin: string;
  /** Deletes the token from the token directory. */
  readonly remove: () => void;
}

/** Options of `createSoftHsmToken`. */
export interface SoftHsmTokenOptions {
  /** Token label. @default a random `test-…` label */
  readonly label?: string;
  /** @default a random PIN */
  readonly userPin?: string;
  /** @default a random PIN */
  readonly soPin?: string;
}

/**
 * Throws a clear error when SoftHSM2 or its command-line tool is missing.
 * Returns the library path.
 */
export function requireSoftHsm(): string {
  if (!existsSync(SOFTHSM2_LIBRARY)) {
    throw new Error(`${INSTALL_HINT} (${SOFTHSM2_LIBRARY} was not found).`);
  }
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${INSTALL_HINT} (softhsm2-util failed to run).`, { cause: error });
  }

  return SOFTHSM2_LIBRARY;
}

/**
 * Returns this process's token directory, creating it and its
 * `softhsm2.conf` on first use and pointing `SOFTHSM2_CONF` at it.
 */
export function softHsmDirectory(): string {
  requireSoftHsm();

  const directory = join(tmpdir(), `${DIRECTORY_PREFIX}${process.pid}`);
  const configPath = join(directory, 'softhsm2.conf');
  if (!existsSync(configPath)) {
    removeStaleDirectories();
    mkdirSync(join(directory, 'tokens'), { recursive: true, mode: 0o700 });
    writeFileSync(configPath, softHsmConfig(join(directory, 'tokens')), { mode: 0o600 });
  }

  setRealEnvironment('SOFTHSM2_CONF', configPath, directory);

  return directory;
}

/**
 * Creates a fresh, initialized token with `softhsm2-util --init-token --free`.
 * Finalizes the library in this process first, so the next `C_Initialize`
 * finds the new token: providers connected before this call stop working.
 */
export function createSoftHsmToken(options: SoftHsmTokenOptions = {}): SoftHsmToken {
  softHsmDirectory();

  const label = options.label ?? `test-${randomBytes(6).toString('hex')}`;
  const userPin = options.userPin ?? randomBytes(8).toString('hex');
  const soPin = options.soPin ?? randomBytes(8).toString('hex');

  finalizeLibrary();
  runSoftHsmUtil(['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', userPin]);

  return {
    libraryPath: SOFTHSM2_LIBRARY,
    label,
    userPin,
    soPin,
    remove: () => runSoftHsmUtil(['--delete-token', '--token', label]),
  };
}

/** Removes this process's token directory. Call it when no provider uses SoftHSM any more. */
export function removeSoftHsmDirectory(): void {
  finalizeLibrary();
  rmSync(join(tmpdir(), `${DIRECTORY_PREFIX}${process.pid}`), { recursive: true, force: true });
}

/**
 * Runs `C_Finalize` when the library is initialized in this process, so that
 * SoftHSM2 reads its token directory again on the next `C_Initialize`.
 */
export function finalizeLibrary(): void {
  const module = new pkcs11js.PKCS11();
  module.load(SOFTHSM2_LIBRARY);
  try {
    module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      throw error;
    }
  }
  module.C_Finalize();
  module.close();
}

function runSoftHsmUtil(args: readonly string[]): void {
  try {
    execFileSync('softhsm2-util', args, { stdio: 'pipe', env: { ...process.env } });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    // The caught error's message repeats the command line with its PINs, so it
    // is not kept. The new message names the action and the tool's own output.
    // eslint-disable-next-line preserve-caught-error -- the caught error holds PINs
    throw new Error(
      `softhsm2-util ${args[0]} failed (exit ${(error as { status?: number }).status}): ${stderr}`,
    );
  }
}

function softHsmConfig(tokenDirectory: string): string {
  return [
    `directories.tokendir = ${tokenDirectory}`,
    'objectstore.backend = file',
    'log.level = ERROR',
    'slots.removable = false',
    '',
  ].join('\n');
}

/**
 * Sets a variable in the real process environment, where a native library's
 * `getenv` reads it. Inside jest, `process.env` is a copy that never reaches
 * the C environment, but `process.loadEnvFile` writes to the real one.
 */
function setRealEnvironment(name: string, value: string, directory: string): void {
  const file = join(directory, 'environment');
  writeFileSync(file, `${name}=${value}\n`, { mode: 0o600 });
  process.loadEnvFile(file);
  process.env[name] = value;
}

/** Deletes token directories left by processes that no longer run. */
function removeStaleDirectories(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIRECTORY_PREFIX)) {
      continue;
    }

    const pid = Number(name.slice(DIRECTORY_PREFIX.length));
    if (Number.isInteger(pid) && !isRunning(pid)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);

    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
