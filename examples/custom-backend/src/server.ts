import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { isKeyShareCipherError } from '@split-kms/core';

import type { ShareVault } from './share-vault';

const MAX_BODY_BYTES = 16 * 1024;

/** Core error codes that are the caller's fault, and their HTTP status. */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  INVALID_PLAINTEXT: 400,
  PLAINTEXT_TOO_LARGE: 413,
};

/**
 * Creates a small HTTP server over a `ShareVault`:
 * `PUT /shares/<rowId>` stores the body, `GET /shares/<rowId>` reads it back.
 * The wallet id comes from the `x-wallet-id` header, a placeholder for
 * whatever authentication your backend already has.
 */
export function createShareServer(vault: ShareVault): Server {
  return createServer((request, response) => {
    handle(vault, request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        reply(response, 413, { error: error.message });
        return;
      }

      const code = isKeyShareCipherError(error) ? error.code : 'UNKNOWN_ERROR';
      const status = CLIENT_ERROR_STATUS[code] ?? 500;
      if (status === 500) {
        console.error(`Request ${request.method} ${request.url} failed: ${code}`);
      }
      reply(response, status, { error: code });
    });
  });
}

async function handle(
  vault: ShareVault,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const match = /^\/shares\/([\w-]{1,64})$/.exec(request.url ?? '');
  const walletId = request.headers['x-wallet-id'];
  if (match === null || typeof walletId !== 'string' || walletId.length === 0) {
    reply(response, 404, { error: 'Use /shares/<rowId> with an x-wallet-id header.' });
    return;
  }

  const rowId = match[1]!;
  if (request.method === 'PUT') {
    await vault.store(rowId, walletId, await readBody(request));
    reply(response, 204);
    return;
  }

  const result = await vault.read(rowId, walletId);
  if (result.ok) {
    reply(response, 200, { share: result.share });
  } else {
    reply(response, result.reason === 'not-found' ? 404 : 403, { error: result.reason });
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new BodyTooLargeError();
    }
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks).toString('utf8');
}

class BodyTooLargeError extends Error {
  constructor() {
    super(`Body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
}

function reply(response: ServerResponse, status: number, body?: object): void {
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}
