module.exports = { ...require('../../jest.preset.js'), displayName: 'provider-aws-kms' };
