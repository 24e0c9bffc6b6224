module.exports = { ...require('../../jest.preset.js'), displayName: 'provider-pkcs11-hsm' };
