/** A header value as transports deliver it: one string, several, or none. */
export type HeaderValue = string | readonly string[] | undefined;

/** A transport-neutral HTTP request. */
export interface ApiRequest {
  /** HTTP method, any case. */
  readonly method: string;
  /** Path without the query string, such as `/encrypt`. */
  readonly path: string;
  /** Headers with names in any case. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Raw body: text, or bytes that must be UTF-8. */
  readonly body?: string | Uint8Array;
  /** Query parameters, such as `{ deep: 'true' }`. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Id of the request in the transport (API Gateway's, or one the server made). A UUID when absent. */
  readonly requestId?: string;
}

/** A transport-neutral HTTP response with a JSON body. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Handles one request. Never throws: every failure becomes an error response. */
export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>;
