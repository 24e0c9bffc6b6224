module.exports = { ...require('../../jest.preset.js'), displayName: 'provider-software' };
