// Synthesis with real esbuild bundling, cfn-lint and the CDK CLI each take seconds,
// more on a busy machine, so tests get one minute instead of jest's 5 s default.
module.exports = { ...require('../../jest.preset.js'), displayName: 'infra', testTimeout: 60_000 };
