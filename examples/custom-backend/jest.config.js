module.exports = { ...require('../../jest.preset.js'), displayName: 'example-custom-backend' };
