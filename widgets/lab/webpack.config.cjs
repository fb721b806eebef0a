// Merged into @jupyterlab/builder's config. plotly.js comes minified and self-contained: webpack neither
// parses nor re-minifies it (that took a minute), it only puts it in the chunk named "plotly".
const TerserPlugin = require(require.resolve('terser-webpack-plugin', { paths: [require.resolve('webpack')] }));

module.exports = {
  output: { uniqueName: 'pathlens-jupyterlab' },
  performance: { hints: false },
  module: { noParse: /plotly\.js-dist-min[\\/]plotly\.min\.js$/ },
  optimization: { minimizer: [new TerserPlugin({ exclude: /(^|\/)plotly\.[0-9a-f]+\.js/ })] },
};
