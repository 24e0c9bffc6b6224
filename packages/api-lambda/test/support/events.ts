import { randomUUID } from 'node:crypto';

import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Options of `apiGatewayEvent`. */
export interface EventOptions {
  readonly method: string;
  /** Path with an optional query string, such as `/healthz?deep=true`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  readonly base64?: boolean;
}

/** Builds an API Gateway HTTP API event (payload format 2.0) as API Gateway sends it. */
export function apiGatewayEvent(options: EventOptions): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = options.path.split('?');
  const query = new URLSearchParams(rawQueryString);
  const requestId = randomUUID();

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    cookies: [],
    headers: {
      accept: '*/*',
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'jest',
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-proto': 'https',
      ...options.headers,
    },
    ...(rawQueryString === '' ? {} : { queryStringParameters: Object.fromEntries(query) }),
    requestContext: {
      accountId: '111122223333',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: options.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'jest',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: '04/Dec/2026:20:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...(options.body === undefined
      ? { isBase64Encoded: false }
      : {
          body:
            options.base64 === true ? Buffer.from(options.body).toString('base64') : options.body,
          isBase64Encoded: options.base64 === true,
        }),
  };
}
