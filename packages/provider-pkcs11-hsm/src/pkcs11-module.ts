import * as pkcs11js from 'pkcs11js';

import { ProviderUnavailableError } from '@split-kms/core';

import type { Pkcs11Api } from './pkcs11-api';
import { hasReturnValue } from './pkcs11-errors';

/** Libraries loaded by this process, by loader and path: one `load` each. */
const loadedLibraries = new WeakMap<(path: string) => Pkcs11Api, Map<string, Pkcs11Api>>();

/** Loads a PKCS#11 library with pkcs11js. */
export function loadPkcs11js(libraryPath: string): Pkcs11Api {
  const library = new pkcs11js.PKCS11();
  library.load(libraryPath);

  return library;
}

/**
 * Returns the initialized library at `libraryPath`, loading it on first use.
 * Another copy of this package, a test harness or a warm Lambda may have
 * called `C_Initialize` already, which is fine: the library keeps one state
 * per process.
 */
export function openLibrary(libraryPath: string, load: (path: string) => Pkcs11Api): Pkcs11Api {
  const byPath = loadedLibraries.get(load) ?? new Map<string, Pkcs11Api>();
  loadedLibraries.set(load, byPath);

  let library = byPath.get(libraryPath);
  if (library === undefined) {
    library = loadLibraryFile(libraryPath, load);
    byPath.set(libraryPath, library);
  }

  initializeLibrary(library);

  return library;
}

/**
 * Calls `C_Initialize` with `CKF_OS_LOCKING_OK`, because pkcs11js runs
 * `C_Encrypt`/`C_Decrypt` on libuv worker threads. Already initialized is fine.
 */
export function initializeLibrary(library: Pkcs11Api): void {
  try {
    library.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    // Precondition: only an already initialized library is accepted as initialized.
    if (!hasReturnValue(error, pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
      throw new ProviderUnavailableError(
        'The PKCS#11 library failed to initialize (C_Initialize).',
        {
          cause: error,
        },
      );
    }
  }
}

function loadLibraryFile(libraryPath: string, load: (path: string) => Pkcs11Api): Pkcs11Api {
  try {
    return load(libraryPath);
  } catch (error) {
    throw new ProviderUnavailableError(
      `The PKCS#11 library "${libraryPath}" could not be loaded. Check that the file exists and is the vendor's ` +
        'PKCS#11 library for this platform (PKCS11_LIBRARY).',
      { cause: error },
    );
  }
}
