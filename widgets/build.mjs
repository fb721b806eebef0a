// Builds the widget module from widgets/src, one source, three outputs:
//   dist/widgets/esm/index.js  ESM (tests, static pages; @jupyter-widgets/base left to the page)
//   dist/index.js              AMD, define(["@jupyter-widgets/base"], ...): what VS Code and html-manager
//                              load as <module>@<version>/dist/index.js (from a CDN or a custom URL)
//   widgets/lab/lib/plugin.js  the JupyterLab plugin's entry, input to `npm run build:labextension`
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = '@jupyter-widgets/base';
const common = { bundle: true, external: [BASE], target: 'es2020', logLevel: 'warning', legalComments: 'none', charset: 'utf8' };

await build({ ...common, entryPoints: [join(root, 'widgets/src/index.ts')], format: 'esm', outfile: join(root, 'dist/widgets/esm/index.js') });
// The lab entry leaves JupyterLab's packages to the host's share scope and plotly.js to webpack, which
// splits it into a chunk of its own that loads with the first figure.
const LAB_EXTERNAL = [BASE, '@jupyterlab/rendermime', '@lumino/widgets', 'plotly.js-dist-min'];
await build({ ...common, external: LAB_EXTERNAL, entryPoints: [join(root, 'widgets/src/plugin.ts')], format: 'esm', outfile: join(root, 'widgets/lab/lib/plugin.js') });

const cjs = await build({ ...common, entryPoints: [join(root, 'widgets/src/index.ts')], format: 'cjs', write: false, minify: true });
const body = cjs.outputFiles[0].text;
const amd = `define(${JSON.stringify([BASE])}, function (base) {
var module = { exports: {} }, exports = module.exports;
var require = function (name) { if (name === ${JSON.stringify(BASE)}) return base; throw new Error("pathlens widgets: no module " + name); };
${body}
return module.exports;
});
`;
writeFileSync(join(root, 'dist/index.js'), amd);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
console.log(`widgets built: dist/index.js (AMD, ${(amd.length / 1024).toFixed(0)} kB), dist/widgets/esm, widgets/lab/lib (pathlens ${version})`);
