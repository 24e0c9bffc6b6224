import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '@aws-lambda-powertools/logger';

import type { ApiHandler } from '../http/types';
import { createNodeRequestListener } from './node-adapter';

/** Options of `startApiServer`. */
export interface ApiServerOptions {
  readonly handle: ApiHandler;
  readonly logger: Logger;
  /** Listen address. Use 127.0.0.1 unless the server must be reachable from elsewhere. */
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** `MAX_BODY_BYTES`, in bytes. */
  readonly maxBodyBytes: number;
}

/** A running local API server. */
export interface ApiServer {
  /** Base URL, such as `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly server: Server;
  /** Stops accepting connections, waits for open requests, then closes idle connections. */
  close(): Promise<void>;
}

/** Time a client has to send a whole request, in milliseconds. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Explains the listen failures a user can fix with HOST or PORT, and keeps the rest as they are. */
function listenError(error: NodeJS.ErrnoException, options: ApiServerOptions): Error {
  const address = `${options.host}:${options.port}`;
  if (error.code === 'EADDRINUSE') {
    return new Error(
      `Port ${address} is already in use. Stop the other server or set PORT to a free port.`,
      { cause: error },
    );
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES') {
    return new Error(
      `Cannot listen on ${address} (${error.code}). Set HOST to an address of this machine and PORT to a port you may use.`,
      {
        cause: error,
      },
    );
  }

  return error;
}

/** Starts the API on `node:http`. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const server = createServer(
    createNodeRequestListener(options.handle, {
      maxBodyBytes: options.maxBodyBytes,
      logger: options.logger,
    }),
  );
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options)));
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    server,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}
