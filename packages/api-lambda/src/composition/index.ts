export * from './container';
export * from './create-cipher';
export * from './create-verifier';
export * from './lazy-handler';
export * from './providers/provider-module';
export * from './providers/registry';
export * from './service-configuration';
export * from './tokens';
