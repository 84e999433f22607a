// esbuild plugins for serverless-esbuild (custom.esbuild.plugins in serverless.yml):
// the console function embeds the console built by console/build.cjs.
'use strict';
const { consoleAssetsPlugin } = require('./console/build.cjs');

module.exports = [consoleAssetsPlugin()];
