/**
 * The Split KMS HTTP API for embedding: build the container (or the handler
 * directly), then serve it through the Lambda adapter, the Node.js server, or
 * your own transport.
 */
export { AuthError, JwksUnavailableError, type AuthFailureReason } from './auth/auth-errors';
export { JwtVerifier, type JwtVerifierOptions, type VerifiedCaller } from './auth/jwt-verifier';
export {
  createLocalKeyResolver,
  createRemoteKeyResolver,
  type RemoteKeySetOptions,
} from './auth/key-resolver';
export { buildServiceContainer, type ServiceContainerOptions } from './composition/container';
export { createLazyHandler } from './composition/lazy-handler';
export type {
  ProviderConfigResult,
  ProviderDependencies,
  ProviderModule,
} from './composition/providers/provider-module';
export { PROVIDER_MODULES } from './composition/providers/registry';
export {
  loadServiceConfiguration,
  type ServiceConfiguration,
} from './composition/service-configuration';
export { API_CONFIG, API_HANDLER, JWT_VERIFIER, LOGGER, METRICS } from './composition/tokens';
export {
  parseApiConfig,
  PROVIDER_NAMES,
  type ApiConfig,
  type AuthConfig,
  type CorsOrigins,
  type ProviderName,
  type RuntimeMode,
} from './config/api-config';
export { ConfigurationError, isConfigurationError } from './config/configuration-error';
export { EnvironmentReader, type Environment } from './config/environment-reader';
export { ApiError } from './http/api-error';
export { HTTP_ERROR_CODES, type HttpErrorCode, type HttpErrorCodeEntry } from './http/error-codes';
export { createApiHandler, type HandlerDependencies } from './http/handler';
export { ROUTES, type Route } from './http/routes';
export type { ApiHandler, ApiRequest, ApiResponse, HeaderValue } from './http/types';
export { requestFromEvent, resultFromResponse } from './lambda-event';
export {
  DISABLED_METRICS,
  PowertoolsMetricsRecorder,
  type MetricsRecorder,
  type RequestMetric,
} from './metrics/request-metrics';
export { createNodeRequestListener, type NodeAdapterOptions } from './server/node-adapter';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server/api-server';
