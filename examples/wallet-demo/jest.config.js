const preset = require('../../jest.preset.js');

// @noble/* are published as ES modules only, so jest transforms them like jose.
module.exports = {
  ...preset,
  displayName: 'example-wallet-demo',
  transformIgnorePatterns: ['/node_modules/(?!(jose|@noble)/)'],
};
