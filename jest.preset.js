// Shared jest settings: TypeScript through swc, workspace packages mapped to
// their sources so tests never need a build, and jose (ES modules only) transformed.
const path = require('node:path');

const packagesDir = path.join(__dirname, 'packages');

module.exports = {
  testEnvironment: 'node',
  // Tests and hooks start real servers (moto, SoftHSM2, JWKS) on a shared 2-core machine.
  testTimeout: 60_000,
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleNameMapper: {
    '^@split-kms/([^/]+)$': `${packagesDir}/$1/src/index.ts`,
    '^@split-kms/([^/]+)/(.+)$': `${packagesDir}/$1/src/$2`,
  },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/cdk.out/'],
};
