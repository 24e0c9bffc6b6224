import type { Logger } from '@aws-lambda-powertools/logger';
import type { InjectionToken } from 'tsyringe';

import type { JwtVerifier } from '../auth/jwt-verifier';
import type { ApiConfig } from '../config/api-config';
import type { ApiHandler } from '../http/types';
import type { MetricsRecorder } from '../metrics/request-metrics';

/*
 * Injection tokens of the API's container. They are symbols, not classes, so
 * resolving never needs decorator metadata (which esbuild does not emit).
 * The cipher uses `KEY_SHARE_CIPHER` from `@split-kms/core`.
 */

export const API_CONFIG: InjectionToken<ApiConfig> = Symbol.for('split-kms.ApiConfig');
export const LOGGER: InjectionToken<Logger> = Symbol.for('split-kms.Logger');
export const METRICS: InjectionToken<MetricsRecorder> = Symbol.for('split-kms.MetricsRecorder');
export const JWT_VERIFIER: InjectionToken<JwtVerifier> = Symbol.for('split-kms.JwtVerifier');
export const API_HANDLER: InjectionToken<ApiHandler> = Symbol.for('split-kms.ApiHandler');
