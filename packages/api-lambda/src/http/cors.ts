import type { CorsOrigins } from '../config/api-config';

/** Methods and headers that preflights allow, as the contract fixes them. */
const ALLOW_METHODS = 'OPTIONS,GET,POST';
const ALLOW_HEADERS = 'Content-Type,Authorization';

/**
 * Returns the CORS headers of every response. With a list of origins, the
 * request's `Origin` is echoed when listed, and the first origin is sent
 * otherwise (so a browser on another origin is refused). `*` is sent only
 * when configured.
 */
export function corsHeaders(
  allowed: CorsOrigins,
  requestOrigin: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': allowOrigin(allowed, requestOrigin),
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Headers': ALLOW_HEADERS,
    'Access-Control-Allow-Methods': ALLOW_METHODS,
  };

  if (allowed.kind === 'list' && allowed.origins.length > 1) {
    headers['Vary'] = 'Origin';
  }

  return headers;
}

function allowOrigin(allowed: CorsOrigins, requestOrigin: string | undefined): string {
  if (allowed.kind === 'any') {
    return '*';
  }
  if (requestOrigin !== undefined && allowed.origins.includes(requestOrigin)) {
    return requestOrigin;
  }

  return allowed.origins[0] ?? '';
}
