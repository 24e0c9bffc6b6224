export * from './request-metrics';
