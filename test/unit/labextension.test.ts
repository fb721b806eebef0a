// Build check of the prebuilt JupyterLab extension (no JupyterLab here to load it): build-labextension
// succeeds, the output declares its federated entry, shares @jupyter-widgets/base with jupyterlab_widgets
// instead of bundling it, and its plugin registers the module name and version the kernel sends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
  assert.match(entry, /"@jupyter-widgets\/base"/, 'consumes @jupyter-widgets/base from the share scope');
  assert.ok(pkg.files.includes('dist/labextension'));
  assert.ok(existsSync(join(out, 'static')));

  // The plugin itself, with a stand-in for the host's @jupyter-widgets/base: what does it register?
  const bundled = await build({ entryPoints: [join(ROOT, 'widgets/lab/lib/plugin.js')], bundle: true, format: 'cjs', write: false, external: ['@jupyter-widgets/base'], logLevel: 'error' });
  class DOMWidgetModel {
    static serializers = {};
    defaults() {
      return {};
    }
  }
  const token = { name: 'IJupyterWidgetRegistry' };
  const base = { DOMWidgetModel, DOMWidgetView: class {}, IJupyterWidgetRegistry: token };
  const module = { exports: {} as { default?: { id: string; requires: unknown[]; autoStart: boolean; activate(app: unknown, registry: unknown): void } } };
  new Function('require', 'module', 'exports', bundled.outputFiles[0].text)((id: string) => (id === '@jupyter-widgets/base' ? base : assert.fail(`unexpected require ${id}`)), module, module.exports);
  const plugin = module.exports.default!;
  assert.deepEqual([plugin.id, plugin.requires, plugin.autoStart], ['pathlens:widgets', [token], true]);
  const registered: { name: string; version: string; exports: Record<string, unknown> }[] = [];
  plugin.activate({}, { registerWidget: (w: (typeof registered)[0]) => registered.push(w) });
  assert.equal(registered.length, 1);
  assert.deepEqual([registered[0].name, registered[0].version], [WIDGET_MODULE, WIDGET_PACKAGE_VERSION]);
  for (const name of [...Object.values(MODEL_NAMES), ...Object.values(VIEW_NAMES)]) assert.equal(typeof registered[0].exports[name], 'function', name);
});
