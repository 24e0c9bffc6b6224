import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** An RS256 key pair for signing test tokens. */
export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public key as a JWK, with `kid`, `alg` and `use`. */
  readonly publicJwk: JWK;
}

/** Options of `signTestToken`. */
export interface TestTokenOptions {
  /** Claims to add or override. `ewi` defaults to `wallet-test`; pass `ewi: undefined` to leave it out. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Seconds from now until `exp`; negative for an expired token. @default 300 */
  readonly expiresInSeconds?: number;
  /** Seconds from now until `nbf`. Not set by default. */
  readonly notBeforeInSeconds?: number;
  /** Overrides the `kid` header. */
  readonly kid?: string;
}

/** Response mode of the JWKS server. */
export type JwksServerBehaviour =
  | { readonly kind: 'keys' }
  | { readonly kind: 'status'; readonly statusCode: number }
  | { readonly kind: 'garbage' }
  | { readonly kind: 'no-keys' };

/** Creates a fresh RS256 key pair with a random key id. */
export async function createTestSigningKey(
  kid: string = `test-${randomUUID()}`,
): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };

  return { kid, privateKey, publicJwk };
}

/** Signs an RS256 token with a test key. */
export async function signTestToken(
  key: TestSigningKey,
  options: TestTokenOptions = {},
): Promise<string> {
  const claims: Record<string, unknown> = { ewi: 'wallet-test', ...options.claims };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) {
      delete claims[name];
    }
  }

  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 300));
  if (options.notBeforeInSeconds !== undefined) {
    jwt.setNotBefore(Math.floor(Date.now() / 1000) + options.notBeforeInSeconds);
  }

  return jwt.sign(key.privateKey);
}

/**
 * A real JWKS HTTP server on 127.0.0.1 for tests. It serves the public keys of
 * `keys` and counts fetches. It can also fail in the ways a real issuer's JWKS
 * endpoint fails: an error status, a body that is not JSON, no keys, a slow
 * response, or no server at all (`stop`, then `restart` on the same port).
 */
export class TestJwksServer {
  /** Keys served, newest last. `mintToken` signs with the newest. */
  keys: TestSigningKey[];
  /** Number of requests received since start. */
  fetchCount = 0;
  /** Response mode for the next requests. */
  behaviour: JwksServerBehaviour = { kind: 'keys' };
  /** Milliseconds to wait before responding. */
  delayMs = 0;

  #server: Server | undefined;
  #port = 0;

  private constructor(keys: TestSigningKey[]) {
    this.keys = keys;
  }

  /** Starts a server with one fresh key on a free port. */
  static async start(): Promise<TestJwksServer> {
    const server = new TestJwksServer([await createTestSigningKey()]);
    await server.restart();

    return server;
  }

  /** The JWKS URL, such as `http://127.0.0.1:41234/jwks.json`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/jwks.json`;
  }

  /** The newest key. */
  get currentKey(): TestSigningKey {
    const key = this.keys.at(-1);
    if (key === undefined) {
      throw new Error('The JWKS server has no keys.');
    }

    return key;
  }

  /** The JWKS document that `keys` produces. */
  get jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** Signs a token with the newest key. */
  async mintToken(options: TestTokenOptions = {}): Promise<string> {
    return signTestToken(this.currentKey, options);
  }

  /** Adds a new key and, unless `keepOld`, stops serving the previous ones. Returns the new key. */
  async rotateKeys(keepOld = false): Promise<TestSigningKey> {
    const key = await createTestSigningKey();
    this.keys = keepOld ? [...this.keys, key] : [key];

    return key;
  }

  /** Serves keys again, without delay. */
  heal(): void {
    this.behaviour = { kind: 'keys' };
    this.delayMs = 0;
  }

  /** Starts listening again, on the same port after `stop` (a free one the first time). */
  async restart(): Promise<void> {
    if (this.#server !== undefined) {
      return;
    }

    const server = createServer((request, response) => this.#respond(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
      // A test that never calls stop() must not keep jest alive.
      server.unref();
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops open connections, so fetches fail with a network error. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) {
      return;
    }

    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #respond(_request: IncomingMessage, response: ServerResponse): void {
    this.fetchCount += 1;
    const behaviour = this.behaviour;
    const send = (): void => sendBehaviour(response, behaviour, this.jwks);

    if (this.delayMs > 0) {
      setTimeout(send, this.delayMs).unref();
    } else {
      send();
    }
  }
}

function sendBehaviour(
  response: ServerResponse,
  behaviour: JwksServerBehaviour,
  jwks: { keys: JWK[] },
): void {
  if (response.destroyed) {
    return;
  }

  switch (behaviour.kind) {
    case 'keys':
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      break;
    case 'status':
      response
        .writeHead(behaviour.statusCode, { 'content-type': 'text/plain' })
        .end('JWKS test failure');
      break;
    case 'garbage':
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
      break;
    case 'no-keys':
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
      break;
  }
}
