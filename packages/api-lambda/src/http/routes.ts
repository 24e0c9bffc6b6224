/** Operations of the API, as in logs and metrics. */
export type Operation = 'healthz' | 'encrypt' | 'decrypt' | 'preflight' | 'not_found';

/** One route of the HTTP contract. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'OPTIONS';
  /** Exact path, or `*` for any path. */
  readonly path: string;
  readonly operation: Operation;
  /** Whether the route requires a bearer token. */
  readonly requiresToken: boolean;
}

/** The routes of the HTTP contract. Any other method and path pair returns 404 `INVALID_PATH`. */
export const ROUTES: readonly Route[] = Object.freeze([
  { method: 'GET', path: '/healthz', operation: 'healthz', requiresToken: false },
  { method: 'POST', path: '/encrypt', operation: 'encrypt', requiresToken: true },
  { method: 'POST', path: '/decrypt', operation: 'decrypt', requiresToken: true },
  { method: 'OPTIONS', path: '*', operation: 'preflight', requiresToken: false },
] as const);

/** Finds the route of a request. The method is compared case-insensitively, the path exactly. */
export function matchRoute(method: string, path: string): Route | undefined {
  const upperMethod = method.toUpperCase();

  return ROUTES.find(
    (route) => route.method === upperMethod && (route.path === '*' || route.path === path),
  );
}

const MAX_ECHOED_PATH_LENGTH = 100;
// eslint-disable-next-line no-control-regex -- matching control characters is the purpose.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Makes a path safe to quote in a message: control characters replaced, long paths shortened. */
export function printablePath(path: string): string {
  const printable = path.replace(CONTROL_CHARACTERS, '?');

  return printable.length > MAX_ECHOED_PATH_LENGTH
    ? `${printable.slice(0, MAX_ECHOED_PATH_LENGTH)}...`
    : printable;
}
