// Build check of the prebuilt JupyterLab extension: build-labextension succeeds, the output declares its
// federated entry, takes @jupyter-widgets/base, @jupyterlab/rendermime and @lumino/widgets from the host
// instead of bundling them, keeps plotly.js in a chunk of its own, and its plugins register the module name
// and version the kernel sends and a Plotly renderer. test/widgets/labextension.test.ts loads it in Chromium.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { MODEL_NAMES, VIEW_NAMES, WIDGET_MODULE, WIDGET_PACKAGE_VERSION } from '../../src/widgets/module.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('build-labextension builds a prebuilt JupyterLab 4 extension that registers the pathlens widget module', { timeout: 120_000 }, async () => {
  const r = spawnSync('npm', ['run', '--silent', 'build:widgets'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const out = join(ROOT, 'dist/labextension');
  const meta = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(meta.version, pkg.version, 'the labextension is versioned with the package');
  assert.equal(meta.jupyterlab._build.extension, './extension');
  assert.match(meta.jupyterlab._build.load, /^static\/remoteEntry\.[0-9a-f]+\.js$/);
  const entry = readFileSync(join(out, meta.jupyterlab._build.load), 'utf8');
  for (const shared of ['@jupyter-widgets/base', '@jupyterlab/rendermime', '@lumino/widgets']) assert.ok(entry.includes(`"${shared}"`), `consumes ${shared} from the share scope`);
  const chunks = readdirSync(join(out, 'static'));
  const plotlyChunk = chunks.filter((f) => /^plotly\.[0-9a-f]+\.js$/.test(f));
  assert.equal(plotlyChunk.length, 1, `plotly.js has a chunk of its own: ${chunks.join(', ')}`);
  for (const f of chunks.filter((c) => c.endsWith('.js') && !plotlyChunk.includes(c))) assert.ok(statSync(join(out, 'static', f)).size < 200_000, `${f} does not carry plotly.js`);
  assert.ok(pkg.files.includes('dist/labextension'));
  assert.ok(existsSync(join(out, 'static')));

  // The plugins themselves, with stand-ins for the host's shared modules: what do they register?
  const bundled = await build({ entryPoints: [join(ROOT, 'widgets/lab/lib/plugin.js')], bundle: true, format: 'cjs', write: false, external: ['@jupyter-widgets/base', '@jupyterlab/rendermime', '@lumino/widgets', 'plotly.js-dist-min'], logLevel: 'error' });
  class DOMWidgetModel {
    static serializers = {};
    defaults() {
      return {};
    }
  }
  const widgetToken = { name: 'IJupyterWidgetRegistry' };
  const renderToken = { name: 'IRenderMimeRegistry' };
  const shared: Record<string, unknown> = {
    '@jupyter-widgets/base': { DOMWidgetModel, DOMWidgetView: class {}, IJupyterWidgetRegistry: widgetToken },
    '@jupyterlab/rendermime': { IRenderMimeRegistry: renderToken },
    '@lumino/widgets': { Widget: class {} },
  };
  type Plugin = { id: string; requires: unknown[]; autoStart: boolean; activate(app: unknown, registry: unknown): void };
  const module = { exports: {} as { default?: Plugin[] } };
  new Function('require', 'module', 'exports', bundled.outputFiles[0].text)((id: string) => shared[id] ?? assert.fail(`unexpected require ${id}`), module, module.exports);
  const [widgets, plotly] = module.exports.default!;
  assert.deepEqual([widgets.id, widgets.requires, widgets.autoStart], ['pathlens:widgets', [widgetToken], true]);
  assert.deepEqual([plotly.id, plotly.requires, plotly.autoStart], ['pathlens:plotly', [renderToken], true]);
  const registered: { name: string; version: string; exports: Record<string, unknown> }[] = [];
  widgets.activate({}, { registerWidget: (w: (typeof registered)[0]) => registered.push(w) });
  assert.equal(registered.length, 1);
  assert.deepEqual([registered[0].name, registered[0].version], [WIDGET_MODULE, WIDGET_PACKAGE_VERSION]);
  for (const name of [...Object.values(MODEL_NAMES), ...Object.values(VIEW_NAMES)]) assert.equal(typeof registered[0].exports[name], 'function', name);

  // The Plotly renderer is added only where no factory for the type exists.
  const added: { mimeTypes: string[]; rank: number }[] = [];
  const rendermime = (existing: boolean) => ({ getFactory: (mt: string) => (existing && mt === 'application/vnd.plotly.v1+json' ? {} : undefined), addFactory: (f: { mimeTypes: string[] }, rank: number) => added.push({ mimeTypes: f.mimeTypes, rank }) });
  plotly.activate({}, rendermime(true));
  assert.deepEqual(added, []);
  plotly.activate({}, rendermime(false));
  assert.deepEqual(added, [{ mimeTypes: ['application/vnd.plotly.v1+json'], rank: 0 }]);
});
