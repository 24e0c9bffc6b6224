import type { Operation } from './routes';

/** Facts the handler collects about a request, for its audit line and metrics. */
export interface RequestState {
  readonly operation: Operation;
  /** Provider that did, or would do, the work; `none` for routes that use no provider. */
  provider: string;
  /** Wallet id, once the token is verified. */
  ewi?: string;
  /** API error code, once the request failed. */
  errorCode?: string;
}
