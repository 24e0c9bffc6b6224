import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

import type { ApiRequest, ApiResponse } from './http/types';

/**
 * Converts an API Gateway HTTP API event (payload format 2.0) into an
 * `ApiRequest`: method from `requestContext.http.method`, path from
 * `rawPath`, a base64-encoded body decoded to bytes.
 */
export function requestFromEvent(event: APIGatewayProxyEventV2): ApiRequest {
  const body = event.body === undefined ? undefined : decodeBody(event.body, event.isBase64Encoded);

  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers: event.headers ?? {},
    ...(body === undefined ? {} : { body }),
    query: queryFromEvent(event),
    requestId: event.requestContext.requestId,
  };
}

/** Converts an `ApiResponse` into the structured result API Gateway expects. */
export function resultFromResponse(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.statusCode,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}

function decodeBody(body: string, isBase64Encoded: boolean): string | Uint8Array {
  return isBase64Encoded ? new Uint8Array(Buffer.from(body, 'base64')) : body;
}

function queryFromEvent(
  event: APIGatewayProxyEventV2,
): Readonly<Record<string, string | undefined>> {
  if (event.queryStringParameters !== undefined) {
    return event.queryStringParameters;
  }

  return Object.fromEntries(new URLSearchParams(event.rawQueryString ?? ''));
}
