import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with the next requests. */
export type ProxyFault =
  | { readonly kind: 'none' }
  /** Holds each request this long before forwarding it. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Responds itself with this status and an HTML body, as a load balancer does. */
  | { readonly kind: 'status'; readonly statusCode: number }
  /** Closes the connection without a response. */
  | { readonly kind: 'reset' };

/**
 * An HTTP proxy on 127.0.0.1 in front of one loopback service (moto, a JWKS
 * server), for fault injection: it forwards requests, delays them, returns
 * an error status itself, or drops the connection. `stop` closes the port, so clients
 * get connection refused, and `restart` opens the same port again.
 */
export class FaultProxy {
  fault: ProxyFault = { kind: 'none' };
  /** Requests received since start. */
  requestCount = 0;

  readonly #target: URL;
  #server: Server | undefined;
  #port = 0;

  private constructor(target: URL) {
    this.#target = target;
  }

  /** Starts a proxy on a free port that forwards to `target`, such as `http://127.0.0.1:5000`. */
  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(target));
    await proxy.restart();

    return proxy;
  }

  /** Base URL of the proxy, such as `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Listens again, on the same port after `stop`. */
  async restart(): Promise<void> {
    if (this.#server !== undefined) {
      return;
    }

    const server = createServer((request, response) => this.#handle(request, response));
    server.listen(this.#port, '127.0.0.1');
    await once(server, 'listening');
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) {
      return;
    }

    this.#server = undefined;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    this.requestCount += 1;
    const fault = this.fault;

    switch (fault.kind) {
      case 'none':
        this.#forward(request, response);
        break;
      case 'delay':
        setTimeout(() => this.#forward(request, response), fault.ms).unref();
        break;
      case 'status':
        request.resume();
        response
          .writeHead(fault.statusCode, { 'content-type': 'text/html' })
          .end('<html><body>Bad gateway from a load balancer</body></html>');
        break;
      case 'reset':
        request.socket.destroy();
        break;
    }
  }

  #forward(request: IncomingMessage, response: ServerResponse): void {
    if (response.destroyed || request.socket.destroyed) {
      return;
    }

    const upstream = httpRequest(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  }
}
