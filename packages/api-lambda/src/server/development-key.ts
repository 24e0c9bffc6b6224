import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import {
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';

/** Default path of the development signing key, relative to the working directory. Git-ignored. */
export const DEFAULT_DEVELOPMENT_KEY_FILE = '.split-kms/dev-jwt-key.json';

/**
 * Path where the local server publishes the development JWKS. Only in
 * development mode (no `JWKS_URL`); not part of the HTTP contract, and the
 * Lambda never serves it.
 */
export const DEVELOPMENT_JWKS_PATH = '/.well-known/dev-jwks.json';

/** `iss` of development tokens. */
export const DEVELOPMENT_ISSUER = 'split-kms-development';

const KEY_FILE_FORMAT = 'split-kms-dev-jwt-key-v1';

/** The development RS256 key pair that signs local tokens. */
export interface DevelopmentKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public key as a JWKS, for the local server's verifier. */
  readonly jwks: JSONWebKeySet;
}

interface KeyFileContents {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly kid: string;
  readonly privateJwk: JWK;
}

/**
 * Reads the development key file, or creates it (mode 0600, in a directory of
 * mode 0700) with a fresh RSA 2048 key pair when it does not exist.
 */
export async function loadOrCreateDevelopmentKey(path: string): Promise<DevelopmentKey> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }

  const contents = text === undefined ? await createKeyFile(path) : parseKeyFile(text, path);

  return toDevelopmentKey(contents);
}

/** Signs a development token for a wallet id, valid for `ttlSeconds`. */
export async function mintDevelopmentToken(
  key: DevelopmentKey,
  ewi: string,
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT({ ewi })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(DEVELOPMENT_ISSUER)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key.privateKey);
}

async function createKeyFile(path: string): Promise<KeyFileContents> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const contents: KeyFileContents = {
    format: KEY_FILE_FORMAT,
    kid: `dev-${randomBytes(6).toString('hex')}`,
    privateJwk: await exportJWK(privateKey),
  };

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  await rename(temporary, path);

  return contents;
}

function parseKeyFile(text: string, path: string): KeyFileContents {
  let contents: Partial<KeyFileContents> | undefined;
  try {
    contents = JSON.parse(text) as Partial<KeyFileContents>;
  } catch {
    contents = undefined;
  }

  if (
    contents?.format !== KEY_FILE_FORMAT ||
    typeof contents.kid !== 'string' ||
    contents.privateJwk?.kty !== 'RSA'
  ) {
    throw new Error(
      `Development key file ${path} is not a ${KEY_FILE_FORMAT} file. Delete it to create a new key.`,
    );
  }

  return contents as KeyFileContents;
}

async function toDevelopmentKey(contents: KeyFileContents): Promise<DevelopmentKey> {
  const { n, e } = contents.privateJwk;
  const privateKey = (await importJWK(contents.privateJwk, 'RS256')) as CryptoKey;

  return {
    kid: contents.kid,
    privateKey,
    jwks: { keys: [{ kty: 'RSA', n, e, kid: contents.kid, alg: 'RS256', use: 'sig' }] },
  };
}
