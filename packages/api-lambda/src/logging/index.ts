export * from './audit';
export * from './request-logger';
export * from './safe-error';
export * from './service-logger';
