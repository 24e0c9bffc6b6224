import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
  DEFAULT_DEVELOPMENT_KEY_FILE,
  loadOrCreateDevelopmentKey,
  mintDevelopmentToken,
} from './development-key';
import { workingDirectory } from './working-directory';

/*
 * Mints a development token for the local server: `npm run -s token -- <ewi> [--ttl seconds]`.
 * It prints only the token, so `TOKEN=$(npm run -s token -- wallet-a)` works.
 * The key is `.split-kms/dev-jwt-key.json` in the working directory, created when missing.
 */

const USAGE = 'Usage: npm run -s token -- <ewi> [--ttl <seconds, default 3600>]';
const MAX_TTL_SECONDS = 30 * 24 * 3600;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n${USAGE}\n`);

    return 2;
  }

  const key = await loadOrCreateDevelopmentKey(
    resolve(workingDirectory(), DEFAULT_DEVELOPMENT_KEY_FILE),
  );
  process.stdout.write(`${await mintDevelopmentToken(key, parsed.ewi, parsed.ttlSeconds)}\n`);

  return 0;
}

function parseCommandLine(argv: readonly string[]): { ewi: string; ttlSeconds: number } | string {
  let values: { ttl?: string | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { ttl: { type: 'string' } },
      allowPositionals: true,
    }));
  } catch (error) {
    return (error as Error).message;
  }

  const [ewi, ...extra] = positionals;
  if (ewi === undefined || ewi.trim() === '' || extra.length > 0) {
    return 'Pass exactly one wallet id (ewi).';
  }

  const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    return `--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}.`;
  }

  return { ewi, ttlSeconds };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Minting the token failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
