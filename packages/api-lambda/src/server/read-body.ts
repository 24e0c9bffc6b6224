import type { IncomingMessage } from 'node:http';

/** A request body read with a size cap. */
export interface CappedBody {
  /** The body, or its first `maxBytes + 1` bytes when it is longer. */
  readonly bytes: Uint8Array;
  /** Whether the body was longer than `maxBytes`; the rest was not kept. */
  readonly truncated: boolean;
}

/**
 * Reads a request body, keeping at most `maxBytes + 1` bytes in memory, so
 * the handler can tell that a body is too large without the server holding
 * it. Once over the cap, the rest of the body is read and dropped.
 * Rejects when the client aborts the request.
 */
export async function readCappedBody(
  request: IncomingMessage,
  maxBytes: number,
): Promise<CappedBody> {
  const limit = maxBytes + 1;
  const chunks: Buffer[] = [];
  let keptBytes = 0;
  let truncated = false;

  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (truncated) {
      continue;
    }

    const room = limit - keptBytes;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(part);
    keptBytes += part.length;
    truncated = keptBytes > maxBytes;
  }

  return { bytes: Buffer.concat(chunks, keptBytes), truncated };
}
