export * from './base-cipher';
export * from './cipher';
export * from './context';
export * from './errors';
export * from './formats';
export * from './header';
export * from './router';
export * from './tokens';
