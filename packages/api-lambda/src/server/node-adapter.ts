import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import type { Logger } from '@aws-lambda-powertools/logger';

import type { ApiHandler, ApiRequest, ApiResponse } from '../http/types';
import { describeError } from '../logging/safe-error';
import { readCappedBody } from './read-body';

/** Options of `createNodeRequestListener`. */
export interface NodeAdapterOptions {
  /** Largest body kept in memory, in bytes (`MAX_BODY_BYTES`). The handler returns 413 above it. */
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/**
 * Adapts the transport-free handler to `node:http`. The body is read with
 * the size cap, the query string is parsed, and each request gets a fresh
 * UUID as its request id. When a client aborts mid-request, the response is
 * not written; the listener catches every error, so the process keeps running.
 */
export function createNodeRequestListener(
  handle: ApiHandler,
  options: NodeAdapterOptions,
): RequestListener {
  return (request, response) => {
    serve(handle, options, request, response).catch((error: unknown) => {
      options.logger.error('Local server failed to respond to a request', {
        error: describeError(error),
      });
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'Content-Type': 'application/json' }).end();
      }
    });
  };
}

async function serve(
  handle: ApiHandler,
  options: NodeAdapterOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let body: Uint8Array;
  try {
    body = (await readCappedBody(request, options.maxBodyBytes)).bytes;
  } catch {
    // The client aborted or the socket failed while sending, so no client waits for the response.
    response.destroy();

    return;
  }

  const apiResponse = await handle(toApiRequest(request, body));
  writeResponse(response, apiResponse);
}

function toApiRequest(request: IncomingMessage, body: Uint8Array): ApiRequest {
  const url = new URL(request.url ?? '/', 'http://localhost');

  return {
    method: request.method ?? 'GET',
    path: url.pathname,
    headers: request.headers,
    ...(body.length === 0 ? {} : { body }),
    query: Object.fromEntries(url.searchParams),
    requestId: randomUUID(),
  };
}

function writeResponse(response: ServerResponse, apiResponse: ApiResponse): void {
  if (response.destroyed || response.writableEnded) {
    return;
  }

  const headers = {
    ...apiResponse.headers,
    'Content-Length': String(Buffer.byteLength(apiResponse.body)),
  };
  response.writeHead(apiResponse.statusCode, headers).end(apiResponse.body);
}
