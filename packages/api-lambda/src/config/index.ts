export * from './api-config';
export * from './configuration-error';
export * from './environment-reader';
