export * from './api-error';
export * from './envelope';
export * from './error-codes';
export * from './error-mapping';
export * from './handler';
export * from './operations';
export * from './routes';
export * from './types';
