import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Logger } from '@aws-lambda-powertools/logger';

import type { CorsOrigins } from '../config/api-config';
import { logAudit, outcomeOf } from '../logging/audit';
import { RequestLogger } from '../logging/request-logger';
import { describeError } from '../logging/safe-error';
import type { MetricsRecorder } from '../metrics/request-metrics';
import { ApiError } from './api-error';
import { corsHeaders } from './cors';
import { errorResponse, successResponse } from './envelope';
import { toApiError } from './error-mapping';
import { getSingleHeader } from './headers';
import {
  decryptOperation,
  encryptOperation,
  healthOperation,
  type OperationDependencies,
} from './operations';
import { bodyByteLength } from './request-body';
import type { RequestState } from './request-state';
import { matchRoute, printablePath, type Route } from './routes';
import type { ApiHandler, ApiRequest, ApiResponse } from './types';

/** Everything the handler needs; the composition root builds it. */
export interface HandlerDependencies extends OperationDependencies {
  readonly logger: Logger;
  readonly metrics: MetricsRecorder;
  /** Largest request body accepted, in bytes; checked before anything else. */
  readonly maxBodyBytes: number;
  readonly corsOrigins: CorsOrigins;
}

/**
 * Creates the transport-free request handler. It routes, checks the body
 * size, verifies the token before reading the body (so a caller without a
 * valid token learns nothing about the body rules), runs the operation, and
 * writes one audit line and one metric per request. It never throws.
 */
export function createApiHandler(dependencies: HandlerDependencies): ApiHandler {
  return async (request) => {
    const started = performance.now();
    const route = matchRoute(request.method, request.path);
    const state: RequestState = { operation: route?.operation ?? 'not_found', provider: 'none' };
    const log = new RequestLogger(dependencies.logger, request.requestId ?? randomUUID());
    const cors = corsHeaders(dependencies.corsOrigins, getSingleHeader(request.headers, 'origin'));

    let response: ApiResponse;
    try {
      response = successResponse(await dispatch(dependencies, route, request, state, log), cors);
    } catch (error) {
      const apiError = toApiError(error);
      state.errorCode = apiError.code;
      logFailure(log, error, apiError, state);
      response = errorResponse(apiError, cors);
    }

    record(dependencies, log, state, response, performance.now() - started);

    return response;
  };
}

async function dispatch(
  dependencies: HandlerDependencies,
  route: Route | undefined,
  request: ApiRequest,
  state: RequestState,
  log: RequestLogger,
): Promise<Readonly<Record<string, unknown>>> {
  // Precondition: the body is within MAX_BODY_BYTES.
  // It is checked first: before the route, the token and JSON parsing.
  const size = bodyByteLength(request.body);
  if (size > dependencies.maxBodyBytes) {
    throw new ApiError(
      'PAYLOAD_TOO_LARGE',
      `Request body is larger than the maximum of ${dependencies.maxBodyBytes} bytes.`,
    );
  }

  if (route === undefined) {
    throw new ApiError(
      'INVALID_PATH',
      `No route for ${printablePath(request.method)} ${printablePath(request.path)}.`,
    );
  }
  if (route.requiresToken) {
    state.provider = dependencies.cipher.name;
  }

  switch (route.operation) {
    case 'encrypt':
      return encryptOperation(dependencies, request, state);
    case 'decrypt':
      return decryptOperation(dependencies, request, state);
    case 'healthz':
      return healthOperation(dependencies, request, log);
    default:
      return {};
  }
}

function logFailure(
  log: RequestLogger,
  error: unknown,
  apiError: ApiError,
  state: RequestState,
): void {
  const fields = {
    operation: state.operation,
    errorCode: apiError.code,
    error: describeError(error),
  };

  if (apiError.statusCode >= 500) {
    log.error(`Request failed with ${apiError.code}`, fields);
  } else {
    log.debug(`Request rejected with ${apiError.code}`, fields);
  }
}

function record(
  dependencies: HandlerDependencies,
  log: RequestLogger,
  state: RequestState,
  response: ApiResponse,
  durationMs: number,
): void {
  const outcome = outcomeOf(response.statusCode);
  const roundedMs = Math.round(durationMs * 1000) / 1000;

  if (state.operation === 'encrypt' || state.operation === 'decrypt') {
    logAudit(log, {
      operation: state.operation,
      outcome,
      provider: state.provider,
      ...(state.ewi === undefined ? {} : { ewi: state.ewi }),
      ...(state.errorCode === undefined ? {} : { errorCode: state.errorCode }),
      durationMs: roundedMs,
    });
  }

  try {
    dependencies.metrics.record({
      operation: state.operation,
      outcome,
      provider: state.provider,
      durationMs: roundedMs,
    });
  } catch (error) {
    // A metrics failure must not turn a completed request into a failed one.
    log.warn('Recording metrics failed', { error: describeError(error) });
  }
}
