import type { JSONWebKeySet } from 'jose';

import type { ApiHandler } from '../http/types';
import { DEVELOPMENT_JWKS_PATH } from './development-key';

/**
 * Adds `GET /.well-known/dev-jwks.json` to a handler, serving the development
 * public keys as a plain JWKS document (no envelope), so other local tools
 * can point their `JWKS_URL` at the local server. Every other request goes to
 * the API handler unchanged.
 */
export function withDevelopmentJwks(handle: ApiHandler, jwks: JSONWebKeySet): ApiHandler {
  const body = JSON.stringify(jwks);

  return async (request) => {
    if (request.method.toUpperCase() === 'GET' && request.path === DEVELOPMENT_JWKS_PATH) {
      return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body };
    }

    return handle(request);
  };
}
