import { parseArgs } from 'node:util';

import { IV_MODES, type Pkcs11IvMode, type Pkcs11KeyShareCipherOptions } from './options';

/** The commands of `split-kms-hsm`. */
export type CliCommand = 'create' | 'rotate' | 'list' | 'check' | 'help';

const COMMANDS: readonly CliCommand[] = ['create', 'rotate', 'list', 'check', 'help'];

export const USAGE = `Usage: split-kms-hsm <command> [options]

Manages the AES-256 key of the Split KMS PKCS#11 provider.

Commands:
  create   Generate version 1 of a new key inside the HSM (non-extractable, sensitive).
  rotate   Generate the next version of the key; new ciphertexts use it.
  list     List the secret keys on the token with label, CKA_ID and version.
  check    Log in, find the key and run an encrypt/decrypt round trip.
  help     Print this text.

Options (each falls back to the environment variable in brackets):
  --library <path>      PKCS#11 library of the HSM vendor [PKCS11_LIBRARY]
  --token-label <label> Token label [PKCS11_TOKEN_LABEL]
  --slot <id>           Slot id, instead of the token label [PKCS11_SLOT]
  --pin <pin>           Crypto user PIN, "user:password" on AWS CloudHSM [PKCS11_PIN].
                        Prefer the variable: a flag is visible in the process list.
  --key-label <label>   Key label [PKCS11_KEY_LABEL]
  --iv-mode <mode>      caller, hsm-generated or hsm-prepended, for check [PKCS11_IV_MODE]
`;

/** Parsed command line: the command and provider options, or a usage error. */
export type ParsedCommandLine =
  | {
      readonly ok: true;
      readonly command: CliCommand;
      readonly options: Pkcs11KeyShareCipherOptions;
    }
  | { readonly ok: false; readonly error: string };

/** Reads the command and options from flags, falling back to the PKCS11_* variables. */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ParsedCommandLine {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }

  const command = (parsed.positionals[0] ?? 'help') as CliCommand;
  if (!COMMANDS.includes(command) || parsed.positionals.length > 1) {
    return {
      ok: false,
      error: `Unknown command "${parsed.positionals.join(' ')}". Run "split-kms-hsm help".`,
    };
  }
  if (command === 'help') {
    return { ok: true, command, options: {} as Pkcs11KeyShareCipherOptions };
  }

  return optionsFrom(command, parsed.values, env);
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      library: { type: 'string' },
      'token-label': { type: 'string' },
      slot: { type: 'string' },
      pin: { type: 'string' },
      'key-label': { type: 'string' },
      'iv-mode': { type: 'string' },
    },
  });
}

function optionsFrom(
  command: CliCommand,
  values: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv,
): ParsedCommandLine {
  const setting = (flag: string, variable: string): string | undefined =>
    values[flag] ?? nonEmpty(env[variable]);

  const libraryPath = setting('library', 'PKCS11_LIBRARY');
  const pin = setting('pin', 'PKCS11_PIN');
  const keyLabel = setting('key-label', 'PKCS11_KEY_LABEL');
  const tokenLabel = setting('token-label', 'PKCS11_TOKEN_LABEL');
  const slotText = setting('slot', 'PKCS11_SLOT');
  const ivMode = setting('iv-mode', 'PKCS11_IV_MODE') ?? 'caller';

  const missing = [
    libraryPath === undefined ? '--library or PKCS11_LIBRARY' : undefined,
    pin === undefined ? '--pin or PKCS11_PIN' : undefined,
    keyLabel === undefined && command !== 'list' ? '--key-label or PKCS11_KEY_LABEL' : undefined,
    tokenLabel === undefined && slotText === undefined
      ? '--token-label or --slot (PKCS11_TOKEN_LABEL or PKCS11_SLOT)'
      : undefined,
  ].filter((entry): entry is string => entry !== undefined);
  if (missing.length > 0) {
    return { ok: false, error: `Missing settings: ${missing.join('; ')}.` };
  }

  if (slotText !== undefined && !/^\d+$/u.test(slotText)) {
    return {
      ok: false,
      error: `Slot "${slotText}" is not a slot id; give a non-negative integer.`,
    };
  }
  if (!IV_MODES.includes(ivMode as Pkcs11IvMode)) {
    return {
      ok: false,
      error: `IV mode "${ivMode}" is invalid; use one of ${IV_MODES.join(', ')}.`,
    };
  }

  return {
    ok: true,
    command,
    options: {
      libraryPath: libraryPath!,
      pin: pin!,
      // `list` needs no key label, but the shared option check wants one.
      keyLabel: keyLabel ?? 'split-kms',
      ...(slotText === undefined ? { tokenLabel } : { slot: Number(slotText) }),
      ivMode: ivMode as Pkcs11IvMode,
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}
