export * from './auth-errors';
export * from './bearer-token';
export * from './jwt-verifier';
export * from './key-resolver';
